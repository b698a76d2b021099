import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
import { AppError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { PgOp, PgReply, PgWorkerData } from "./pg-worker.ts";

/**
 * Synchronous PostgreSQL for the run store and job queue, whose interfaces are synchronous (SQLite's are:
 * better-sqlite3 blocks too). The queries run on a worker thread (pg-worker.ts) with a bounded pool; the
 * calling thread posts one and waits on a shared flag for its answer. A call therefore blocks this
 * process's event loop for one round trip to the database, as a SQLite write blocks it for a disk write; the
 * wait is bounded by the statement timeout. Health checks and other replicas' change notices travel
 * asynchronously and never block.
 */

export interface DatabaseHealth {
  kind: "postgres" | "sqlite";
  reachable: boolean;
  error?: string;
  migration: number;
  [key: string]: unknown;
}

export interface PgBridgeOptions {
  url: string;
  poolSize: number;
  statementTimeoutMs: number;
  replicaId: string;
  logger: Logger;
}

export const RUN_CHANNEL = "autofix_runs";

/** SQLSTATE classes that mean the database is unreachable or refused us: the operator's to fix. */
const UNAVAILABLE = /^(08|28|3D|53|57P)/;

export class PgBridge {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private seq = 0;
  private depth = 0;
  /** The worker thread is gone (it failed, or close() ended it): calls fail at once instead of waiting. */
  private exited = false;
  private readonly pending = new Map<number, (value: unknown) => void>();
  /** Another replica changed this run (LISTEN/NOTIFY). */
  onRemoteChange: (runId: string) => void = () => undefined;

  constructor(private readonly options: PgBridgeOptions) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    // In the compiled server the worker is JavaScript; under the test runner it is this TypeScript source.
    const ts = import.meta.url.endsWith(".ts");
    const data: PgWorkerData = {
      url: options.url,
      poolSize: options.poolSize,
      statementTimeoutMs: options.statementTimeoutMs,
      replicaId: options.replicaId,
      channel: RUN_CHANNEL,
      flag: this.flag.buffer as SharedArrayBuffer,
      port: port2,
    };
    const workerOptions = { workerData: data, transferList: [port2], stdout: true };
    this.worker = ts
      ? new Worker(tsBootstrap(new URL("./pg-worker.ts", import.meta.url).href), {
          ...workerOptions,
          eval: true,
        })
      : new Worker(new URL("./pg-worker.js", import.meta.url), workerOptions);
    this.worker.unref();
    this.worker.on("message", (message: { t: string; id?: number; [k: string]: unknown }) => {
      if (message.t === "changed") this.remoteChange(String(message.payload));
      else if (message.t === "log")
        options.logger[message.level === "debug" ? "debug" : "warn"](String(message.msg), {
          error: message.error,
        });
      else if (message.id !== undefined) {
        this.pending.get(message.id)?.(message);
        this.pending.delete(message.id);
      }
    });
    this.worker.on("error", (error) => options.logger.error("the database thread failed", { error }));
    this.worker.on("exit", () => {
      this.exited = true;
      for (const resolve of this.pending.values())
        resolve({ health: this.downHealth("the database thread stopped") });
      this.pending.clear();
    });
  }

  /** Waits for the migrations; throws when the database cannot be reached. */
  ready(): number {
    return this.call({ t: "ready" }) as number;
  }

  query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): { rows: T[]; rowCount: number } {
    // PostgreSQL text cannot hold NUL (Sentry titles and messages can); JSON payloads carry it escaped.
    const clean = params.map((p) => (typeof p === "string" && p.includes("\0") ? p.replaceAll("\0", "") : p));
    return this.call({ t: "query", sql, params: clean }) as { rows: T[]; rowCount: number };
  }

  one<T = Record<string, unknown>>(sql: string, params: unknown[] = []): T | undefined {
    return this.query<T>(sql, params).rows[0];
  }

  /** All-or-nothing; nested calls become savepoints, as better-sqlite3's transactions do. */
  tx<T>(fn: () => T): T {
    const savepoint = this.depth > 0 ? `sp_${this.depth}` : null;
    if (savepoint) this.query(`SAVEPOINT ${savepoint}`);
    else this.call({ t: "begin" });
    this.depth++;
    try {
      const result = fn();
      this.depth--;
      if (savepoint) this.query(`RELEASE SAVEPOINT ${savepoint}`);
      else this.call({ t: "commit" });
      return result;
    } catch (error) {
      this.depth--;
      try {
        if (savepoint) this.query(`ROLLBACK TO SAVEPOINT ${savepoint}`);
        else this.call({ t: "rollback" });
      } catch {
        // The connection is gone: the database rolled the transaction back itself.
      }
      throw error;
    }
  }

  /** Tells every replica (this one through its own listener) that a run changed, when the write commits. */
  notify(runId: string): void {
    this.query("SELECT pg_notify($1, $2)", [RUN_CHANNEL, `${this.options.replicaId} ${runId}`]);
  }

  async health(): Promise<DatabaseHealth> {
    if (this.exited) return this.downHealth("the database thread stopped");
    return (await this.ask("health")).health as DatabaseHealth;
  }

  private downHealth(error: string): DatabaseHealth {
    return { kind: "postgres", reachable: false, error, migration: 0 };
  }

  async close(): Promise<void> {
    if (this.exited) return;
    await Promise.race([this.ask("closed"), new Promise((r) => setTimeout(r, 2_000).unref())]);
    await this.worker.terminate();
  }

  private remoteChange(payload: string): void {
    const [from, runId] = payload.split(" ");
    if (runId && from !== this.options.replicaId) this.onRemoteChange(runId);
  }

  private ask(kind: "health" | "closed"): Promise<Record<string, unknown>> {
    const id = ++this.seq;
    return new Promise((resolve) => {
      this.pending.set(id, (v) => resolve(v as Record<string, unknown>));
      this.worker.postMessage({ t: kind === "closed" ? "close" : kind, id });
    });
  }

  private call(op: PgOp): unknown {
    if (this.exited)
      throw dbError(
        { message: "the database thread stopped; restart the server", code: "57P01" },
        this.options.url,
      );
    const id = ++this.seq;
    this.port.postMessage({ id, op });
    // The worker connects (up to 5 s), then the statement runs (up to its timeout): wait a little longer.
    const deadline = Date.now() + this.options.statementTimeoutMs + 7_000;
    for (;;) {
      const received = receiveMessageOnPort(this.port);
      if (received) {
        const reply = received.message as PgReply;
        if (reply.id !== id) continue; // the late answer to a call that timed out
        if (reply.error) throw dbError(reply.error, this.options.url);
        return reply.ok;
      }
      const left = deadline - Date.now();
      if (left <= 0)
        throw dbError({ message: "the database did not answer in time", code: "57014" }, this.options.url);
      Atomics.wait(this.flag, 0, 0, left);
      Atomics.store(this.flag, 0, 0);
    }
  }
}

/** Under the test runner: load the worker's TypeScript through tsx (a development dependency). */
function tsBootstrap(workerUrl: string): string {
  const pkg = createRequire(import.meta.url).resolve("tsx/package.json");
  const tsx = pathToFileURL(join(dirname(pkg), "dist/esm/api/index.mjs")).href;
  return `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(workerUrl)}); });`;
}

function dbError(e: { message: string; code?: string }, url: string): Error {
  const where = safeHost(url);
  if (e.code === "AUTOFIX_SCHEMA_NEWER")
    return new AppError("config", e.message, {
      hint: "Upgrade autofix-mcp or point AUTOFIX_DATABASE_URL elsewhere.",
    });
  if (
    (e.code && UNAVAILABLE.test(e.code)) ||
    /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET|terminat|timeout/i.test(e.message)
  )
    return new AppError("upstream", `the PostgreSQL database at ${where} is not available: ${e.message}`, {
      service: "PostgreSQL",
      hint: "Retrying may help; if it keeps failing, check AUTOFIX_DATABASE_URL and the database server.",
      detail: e.code,
    });
  const error = new Error(e.message) as Error & { code?: string };
  if (e.code) error.code = e.code;
  return error;
}

function safeHost(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return "(unparsable URL)";
  }
}
