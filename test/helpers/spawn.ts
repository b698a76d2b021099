import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { DIST_BIN, ensureBuilt } from "./build.ts";

/** The shipped entry point (`bin` in package.json), compiled; test/global-setup.ts keeps it current. */
export const BIN = DIST_BIN;

export interface Spawned {
  child: ChildProcessWithoutNullStreams;
  stdoutLines: string[];
  stderr: () => string;
  /** Resolves with the first stderr match, e.g. the "listening on" line. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  kill(): Promise<void>;
}

/** Spawns the CLI with plain `node` (never npx) and an explicit environment. */
export function spawnCli(args: string[], env: Record<string, string>): Spawned {
  ensureBuilt();
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", AUTOFIX_DB: ":memory:", ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const stdoutLines: string[] = [];
  let stdoutBuffer = "";
  let stderrText = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdoutBuffer += chunk.toString("utf8");
    let i = stdoutBuffer.indexOf("\n");
    while (i >= 0) {
      stdoutLines.push(stdoutBuffer.slice(0, i));
      stdoutBuffer = stdoutBuffer.slice(i + 1);
      i = stdoutBuffer.indexOf("\n");
    }
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderrText += chunk.toString("utf8");
  });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  return {
    child,
    stdoutLines,
    stderr: () => stderrText,
    waitForStderr: (pattern, timeoutMs = 15_000) =>
      new Promise((resolvePromise, reject) => {
        const started = Date.now();
        const poll = setInterval(() => {
          const m = stderrText.match(pattern);
          if (m) {
            clearInterval(poll);
            resolvePromise(m);
          } else if (Date.now() - started > timeoutMs || child.exitCode !== null) {
            clearInterval(poll);
            reject(new Error(`no ${pattern} on stderr; got:\n${stderrText}`));
          }
        }, 20);
      }),
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null && child.pid) {
        process.kill(child.pid, "SIGTERM");
        const timer = setTimeout(
          () => child.pid && child.exitCode === null && process.kill(child.pid, "SIGKILL"),
          3_000,
        );
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** Request IDs unique across every client of a process, so a second client never reads the first's answers. */
let nextId = 1;

/** A minimal line-based JSON-RPC client over a spawned server's stdio. */
export function stdioRpc(spawned: Spawned) {
  const request = async (method: string, params: unknown = {}, timeoutMs = 15_000): Promise<any> => {
    const id = nextId++;
    spawned.child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id, method, params })}\n`);
    const started = Date.now();
    while (Date.now() - started < timeoutMs) {
      for (const line of spawned.stdoutLines) {
        try {
          const msg = JSON.parse(line);
          if (msg.id === id) return msg;
        } catch {
          // Not JSON: the purity assertion in the test reports it.
        }
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no response to ${method}; stderr:\n${spawned.stderr()}`);
  };
  const notify = (method: string, params: unknown = {}) => {
    spawned.child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", method, params })}\n`);
  };
  return { request, notify };
}
