import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Spawned, spawnCli } from "../helpers/spawn.ts";

/**
 * The official MCP conformance suite (server mode) against `--demo` over Streamable HTTP. The committed
 * baseline lists the scenarios that need the suite's own fixture tools, prompts and resources; the suite
 * exits non-zero on any other failure, and on a listed scenario that starts passing. We also check that
 * each expected failure really is about a fixture, so a regression cannot hide in the baseline.
 */
const BASELINE = resolve(import.meta.dirname, "../conformance/expected-failures.yml");
const require = createRequire(import.meta.url);
const CLI = join(dirname(require.resolve("@modelcontextprotocol/conformance/package.json")), "dist/index.js");

let server: Spawned;
let url: string;
beforeAll(async () => {
  server = spawnCli(["--demo", "--transport", "http", "--port", "0"], {});
  url = `${(await server.waitForStderr(/listening on (http:\/\/\S+)/))[1]}`;
});
afterAll(async () => {
  await server?.kill();
});

function runSuite(out: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolvePromise) => {
    const child = spawn(
      process.execPath,
      [CLI, "server", "--url", url, "--expected-failures", BASELINE, "-o", out],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.on("data", (c: Buffer) => {
      output += c.toString("utf8");
    });
    child.stderr.on("data", (c: Buffer) => {
      output += c.toString("utf8");
    });
    child.once("exit", (code) => resolvePromise({ code, output }));
  });
}

describe("MCP conformance suite", () => {
  it("passes every scenario that does not need the suite's fixtures", { timeout: 120_000 }, async () => {
    const out = mkdtempSync(join(tmpdir(), "autofix-conformance-"));
    const { code, output } = await runSuite(out);
    expect(code, output).toBe(0);
    const baseline = readFileSync(BASELINE, "utf8")
      .split("\n")
      .map((l) => /^\s+- ([a-z0-9-]+)\s*$/.exec(l)?.[1])
      .filter(Boolean) as string[];
    expect(baseline.length).toBeGreaterThan(0);

    const failures: string[] = [];
    let passed = 0;
    for (const dir of readdirSync(out)) {
      const checks = JSON.parse(readFileSync(join(out, dir, "checks.json"), "utf8")) as Array<{
        status: string;
        errorMessage?: string;
      }>;
      const scenario = baseline.find((s) => dir.startsWith(`server-${s}-`));
      for (const check of checks) {
        if (check.status === "SUCCESS") passed++;
        if (check.status !== "FAILURE") continue;
        failures.push(dir);
        expect(scenario, `${dir} failed but is not in the baseline: ${check.errorMessage}`).toBeDefined();
        expect(check.errorMessage, dir).toMatch(/test_[a-z0-9_]+|test:\/\//);
      }
    }
    expect(passed).toBeGreaterThanOrEqual(10);
    expect(failures.length).toBeGreaterThan(0);
  });
});
