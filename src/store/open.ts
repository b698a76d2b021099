import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import type { RunChanges } from "./changes.ts";
import { type DatabaseHealth, PgBridge } from "./pg-bridge.ts";
import { PgJobQueue } from "./pg-queue.ts";
import { PgRunStore } from "./postgres.ts";
import { SqliteJobQueue } from "./queue.ts";
import type { JobQueue } from "./queue-types.ts";
import { SqliteRunStore } from "./sqlite.ts";
import type { RunStore } from "./types.ts";

/**
 * Opens the run store and job queue on one database: SQLite at `dbPath` (the default), or PostgreSQL when
 * `store.url` is set. Both report their writes to `changes`; PostgreSQL also reports other replicas' writes.
 */
export interface Stores {
  store: RunStore;
  queue: JobQueue;
  health(): Promise<DatabaseHealth>;
  close(): Promise<void>;
}

export function openStores(config: Config, now: () => number, changes: RunChanges, logger: Logger): Stores {
  const emit = (runId: string) => changes.emit(runId);
  if (config.store.url) {
    const db = new PgBridge({
      url: config.store.url,
      poolSize: config.store.poolSize,
      statementTimeoutMs: config.store.statementTimeoutMs,
      replicaId: config.store.replicaId,
      logger: logger.child({ component: "postgres" }),
    });
    // Not waiting for the database here: the first query waits for the migrations (and says if the
    // database is unreachable), while /healthz asks without blocking.
    const store = new PgRunStore(db, now);
    const queue = new PgJobQueue(db, now);
    store.changed = emit;
    queue.changed = emit;
    return { store, queue, health: () => db.health(), close: () => db.close() };
  }
  const store = new SqliteRunStore(config.dbPath, now);
  const queue = new SqliteJobQueue(store.db, now);
  store.changed = emit;
  queue.changed = emit;
  return {
    store,
    queue,
    health: async () => ({
      kind: "sqlite",
      reachable: store.db.open,
      migration: store.db.pragma("user_version", { simple: true }) as number,
    }),
    close: async () => store.close(),
  };
}
