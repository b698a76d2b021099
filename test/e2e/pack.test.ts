import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/build.ts";

/**
 * What a user gets from `npm install autofix-mcp` (or `npx autofix-mcp --demo`): the packed tarball,
 * installed into an empty directory with its dependencies from the npm registry (npm's cache first), and the
 * installed `autofix-mcp` bin started with `--demo` by a real MCP client over stdio.
 *
 * Two shortcuts keep this under a minute: `npm pack --ignore-scripts` packs the `dist/` that the global
 * setup just brought up to date (the `prepare` build is what `npm ci` runs, and would rebuild `dist/` under
 * the feet of the other tests), and better-sqlite3 is pinned to this checkout's version and given this
 * checkout's compiled addon instead of compiling it again (about 55 s of node-gyp on two cores).
 */
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
const sqliteVersion = JSON.parse(
  readFileSync(join(ROOT, "node_modules/better-sqlite3/package.json"), "utf8"),
).version;

let dir: string;
let tarball: string;
let files: string[];

function npm(args: string[], cwd: string): string {
  const run = spawnSync("npm", args, { cwd, encoding: "utf8", timeout: 120_000 });
  if (run.status !== 0) throw new Error(`npm ${args.join(" ")} failed:\n${run.stdout}\n${run.stderr}`);
  return run.stdout;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "autofix-pack-"));
  const packed = JSON.parse(npm(["pack", "--ignore-scripts", "--json", "--pack-destination", dir], ROOT));
  tarball = join(dir, packed[0].filename);
  files = packed[0].files.map((f: { path: string }) => f.path);

  const app = join(dir, "app");
  mkdirSync(app);
  writeFileSync(
    join(app, "package.json"),
    JSON.stringify({ private: true, overrides: { "better-sqlite3": sqliteVersion } }),
  );
  npm(["install", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund", tarball], app);
  const addon = "node_modules/better-sqlite3/build/Release/better_sqlite3.node";
  mkdirSync(join(app, addon, ".."), { recursive: true });
  copyFileSync(join(ROOT, addon), join(app, addon));
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the packed package", () => {
  it("ships the compiled JavaScript, not the TypeScript sources or the tests", () => {
    expect(files).toContain("dist/src/bin.js");
    expect(files).toContain("dist/tools/index.js");
    expect(files.filter((f) => f.endsWith(".ts"))).toEqual([]);
    expect(files.filter((f) => f.startsWith("test/") || f.startsWith("src/"))).toEqual([]);
    expect(pkg.bin["autofix-mcp"]).toBe("dist/src/bin.js");
  });

  it("installs with its runtime dependencies only: no tsx, no TypeScript", () => {
    const modules = join(dir, "app/node_modules");
    expect(existsSync(join(modules, "autofix-mcp/dist/src/bin.js"))).toBe(true);
    expect(existsSync(join(modules, "@modelcontextprotocol/server"))).toBe(true);
    expect(existsSync(join(modules, "tsx"))).toBe(false);
    expect(existsSync(join(modules, "typescript"))).toBe(false);
  });

  it("runs `autofix-mcp --demo` from the install: the sample incident's root cause over stdio", async () => {
    const client = new Client({ name: "pack-test", version: "1" });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [join(dir, "app/node_modules/.bin/autofix-mcp"), "--demo", "--log-level", "warn"],
        cwd: join(dir, "app"),
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", AUTOFIX_DB: ":memory:" },
        stderr: "pipe",
      }),
    );
    try {
      expect(client.getServerVersion()).toMatchObject({ name: "autofix-mcp", version: pkg.version });
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toContain("analyze_root_cause");
      const result = await client.callTool({
        name: "analyze_root_cause",
        arguments: { issue: "ORDERS-API-7A" },
      });
      expect(result.isError).toBeFalsy();
      const rootCause = result.structuredContent as {
        run_id: string;
        candidates: Array<Record<string, unknown>>;
      };
      expect(rootCause.run_id).toMatch(/^run_/);
      expect(rootCause.candidates[0]).toMatchObject({
        repo: "acme/orders-api",
        path: "src/pricing/discounts.ts",
        function: "applyCoupon",
      });
    } finally {
      await client.close();
    }
  }, 60_000);
});
