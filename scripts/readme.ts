import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { tools } from "../tools/index.ts";

/**
 * Writes the README's tool table from the tool definitions (name and summary), between the
 * `<!-- tools:start -->` and `<!-- tools:end -->` markers, then lets Biome lay the table out. A contract
 * test fails when the README and the definitions differ: run `npm run readme` after changing a tool.
 */
const path = resolve(import.meta.dirname, "../README.md");
const START = "<!-- tools:start -->";
const END = "<!-- tools:end -->";

const cell = (text: string) => text.replace(/\|/g, "\\|");
const table = [
  "| tool | what it does |",
  "| --- | --- |",
  ...tools.map((t) => `| \`${t.name}\` | ${cell(t.summary)} |`),
].join("\n");

const readme = readFileSync(path, "utf8");
const start = readme.indexOf(START);
const end = readme.indexOf(END);
if (start < 0 || end < start) throw new Error(`README.md has no ${START} … ${END} section`);
writeFileSync(path, `${readme.slice(0, start + START.length)}\n${table}\n${readme.slice(end)}`);
execFileSync("npx", ["biome", "format", "--write", path], { stdio: "inherit" });
