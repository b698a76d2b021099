import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

/**
 * The tests that spawn the server run what ships: the compiled `dist/`. `npm ci` builds it (`prepare`); this
 * rebuilds it when any source is newer, so a test never runs yesterday's JavaScript against today's sources.
 */
export const ROOT = resolve(import.meta.dirname, "../..");
export const DIST_BIN = join(ROOT, "dist/src/bin.js");

let checked = false;

const SOURCES = ["src", "tools", "prompts", "package.json", "tsconfig.json", "tsconfig.build.json"];

export function ensureBuilt(): void {
  if (checked) return;
  checked = true;
  if (existsSync(DIST_BIN) && newestSource() <= statSync(DIST_BIN).mtimeMs) return;
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  const build = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], {
    cwd: ROOT,
    encoding: "utf8",
  });
  // tsc still writes JavaScript when types are wrong; `npm test` reports those through `npm run typecheck`.
  if (!existsSync(DIST_BIN)) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
}

function newestSource(): number {
  let newest = 0;
  const visit = (path: string) => {
    const stat = statSync(path);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
    else newest = Math.max(newest, stat.mtimeMs);
  };
  for (const source of SOURCES) if (existsSync(join(ROOT, source))) visit(join(ROOT, source));
  return newest;
}
