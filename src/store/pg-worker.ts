import { type MessagePort, parentPort, workerData } from "node:worker_threads";
import pg from "pg";
import { migrate } from "./migrations/postgres.ts";

/**
 * The PostgreSQL side of the store, on its own thread: a bounded pool, the migrations, one transaction at a
 * time for the main thread's synchronous calls (pg-bridge.ts), and a LISTEN connection that forwards other
 * replicas' run changes. It reconnects by itself: the pool replaces broken connections on the next query,
 * and the listener comes back a second after it drops.
 */

export interface PgWorkerData {
  url: string;
  poolSize: number;
  statementTimeoutMs: number;
  replicaId: string;
  channel: string;
  /** Int32 flag the main thread waits on: set to 1 once a reply is posted on `port`. */
  flag: SharedArrayBuffer;
  port: MessagePort;
}

export type PgOp =
  | { t: "ready" }
  | { t: "query"; sql: string; params: unknown[] }
  | { t: "begin" }
  | { t: "commit" }
  | { t: "rollback" };

export interface PgReply {
  id: number;
  ok?: unknown;
  error?: { message: string; code?: string };
}

const data = workerData as PgWorkerData;
const flag = new Int32Array(data.flag);
const pool = new pg.Pool({
  connectionString: data.url,
  max: data.poolSize,
  connectionTimeoutMillis: 5_000,
  idleTimeoutMillis: 30_000,
  statement_timeout: data.statementTimeoutMs,
  query_timeout: data.statementTimeoutMs + 1_000,
  application_name: `autofix-mcp ${data.replicaId}`.slice(0, 63),
});
// A pooled connection that breaks while idle (the database restarted) is dropped; the next query opens one.
pool.on("error", (error) => log("warn", "an idle database connection failed", error));

let version = 0;
let ready: Promise<number> | null = null;
const ensureReady = (): Promise<number> => {
  ready ??= (async () => {
    const client = await pool.connect();
    try {
      version = await migrate(client);
      return version;
    } finally {
      client.release();
    }
  })().catch((error: unknown) => {
    ready = null;
    throw error;
  });
  return ready;
};

let tx: pg.PoolClient | null = null;
let chain: Promise<void> = Promise.resolve();
data.port.on("message", (message: { id: number; op: PgOp }) => {
  chain = chain.then(() => handle(message.id, message.op));
});

async function handle(id: number, op: PgOp): Promise<void> {
  let reply: PgReply;
  try {
    await ensureReady();
    reply = { id, ok: await run(op) };
  } catch (error) {
    const e = error as Error & { code?: string };
    reply = { id, error: { message: e.message, ...(e.code ? { code: e.code } : {}) } };
  }
  data.port.postMessage(reply);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

async function run(op: PgOp): Promise<unknown> {
  switch (op.t) {
    case "ready":
      return version;
    case "query": {
      const result = await (tx ?? pool).query(op.sql, op.params);
      return { rows: result.rows, rowCount: result.rowCount ?? 0 };
    }
    case "begin": {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
      } catch (error) {
        client.release(error as Error);
        throw error;
      }
      tx = client;
      return null;
    }
    case "commit":
    case "rollback": {
      const client = tx;
      tx = null;
      if (!client) return null;
      try {
        await client.query(op.t === "commit" ? "COMMIT" : "ROLLBACK");
        client.release();
      } catch (error) {
        client.release(error as Error);
        throw error;
      }
      return null;
    }
  }
}

// Other replicas' changes to runs, for resource subscriptions here.
let listener: pg.Client | null = null;
let closing = false;
let retry: NodeJS.Timeout | null = null;
async function listen(): Promise<void> {
  retry = null;
  const client = new pg.Client({ connectionString: data.url, application_name: "autofix-mcp listen" });
  let lost = false;
  const reconnect = () => {
    if (lost) return;
    lost = true;
    if (listener === client) listener = null;
    if (!closing && !retry) retry = setTimeout(() => void listen(), 1_000);
  };
  client.on("error", reconnect);
  client.on("end", reconnect);
  client.on("notification", (n) => parentPort?.postMessage({ t: "changed", payload: n.payload ?? "" }));
  try {
    await client.connect();
    await client.query(`LISTEN ${data.channel}`);
    listener = client;
  } catch (error) {
    log("debug", "listening for run changes failed; retrying", error);
    reconnect();
    client.end().catch(() => undefined);
  }
}
void listen();

parentPort?.on("message", async (message: { t: string; id: number }) => {
  if (message.t === "health") {
    parentPort?.postMessage({ t: "health", id: message.id, health: await health() });
  } else if (message.t === "close") {
    closing = true;
    if (retry) clearTimeout(retry);
    await listener?.end().catch(() => undefined);
    await pool.end().catch(() => undefined);
    parentPort?.postMessage({ t: "closed", id: message.id });
  }
});

async function health() {
  const started = Date.now();
  let reachable = false;
  let error: string | undefined;
  try {
    await Promise.race([
      ensureReady().then(() => pool.query("SELECT 1")),
      new Promise((_, reject) => setTimeout(() => reject(new Error("no answer within 2 s")), 2_000).unref()),
    ]);
    reachable = true;
  } catch (e) {
    error = (e as Error).message;
  }
  return {
    kind: "postgres",
    reachable,
    ...(error ? { error } : {}),
    latency_ms: Date.now() - started,
    migration: version,
    listening: listener !== null,
    pool: { open: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: data.poolSize },
  };
}

function log(level: string, msg: string, error: unknown): void {
  parentPort?.postMessage({ t: "log", level, msg, error: (error as Error)?.message ?? String(error) });
}
