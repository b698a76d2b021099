import { spawn } from "node:child_process";
import { join } from "node:path";
import { DIST_BIN, ensureBuilt, ROOT } from "../helpers/build.ts";

/**
 * Start-up as a stdio client sees it: from spawning the server to the `initialize` answer on stdout. The
 * shipped bin runs compiled JavaScript; the sources through tsx are shown for comparison (the bin before
 * issue 15). Runs are sequential, so each spawn has the machine to itself.
 */
const INITIALIZE = `${JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "bench", version: "1" } },
})}\n`;

async function spawnToInitialize(args: string[]): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", AUTOFIX_DB: ":memory:" },
    stdio: ["pipe", "pipe", "ignore"],
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.stdin.write(INITIALIZE);
  const elapsed = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
      if (out.includes('"id":1')) resolve(performance.now() - started);
    });
    child.once("exit", (code) => reject(new Error(`server exited (${code}) before answering initialize`)));
  });
  if (child.pid) process.kill(child.pid, "SIGTERM");
  await exited;
  return elapsed;
}

async function sample(args: string[], runs: number): Promise<{ median: number; p90: number }> {
  await spawnToInitialize(args); // warm the file-system cache
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await spawnToInitialize(args));
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)]!;
  return { median: at(0.5), p90: at(0.9) };
}

export async function benchStartup(runs: number): Promise<string> {
  ensureBuilt();
  const rows: Array<[string, string[]]> = [
    ["`node dist/src/bin.js` (shipped)", [DIST_BIN]],
    ["`node --import tsx src/bin.ts` (sources)", ["--import", "tsx", join(ROOT, "src/bin.ts")]],
  ];
  const lines = [
    `Start-up: spawn → initialize answered over stdio, ${runs} spawns each (target: median ≤ 300 ms)`,
    "",
    "| entry point | median ms | p90 ms |",
    "|---|---|---|",
  ];
  for (const [label, args] of rows) {
    const { median, p90 } = await sample(args, runs);
    lines.push(`| ${label} | ${median.toFixed(0)} | ${p90.toFixed(0)} |`);
  }
  return `${lines.join("\n")}\n`;
}
