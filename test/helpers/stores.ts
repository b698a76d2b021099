import { inject } from "vitest";
import { createLogger } from "../../src/log.ts";
import { PgBridge } from "../../src/store/pg-bridge.ts";
import { PgJobQueue } from "../../src/store/pg-queue.ts";
import { PgRunStore } from "../../src/store/postgres.ts";
import { SqliteJobQueue } from "../../src/store/queue.ts";
import type { JobQueue } from "../../src/store/queue-types.ts";
import { SqliteRunStore } from "../../src/store/sqlite.ts";
import type { RunStore } from "../../src/store/types.ts";
import { freshDatabase } from "./postgres.ts";

/**
 * The run store and job queue on each backend, for the suites that must hold on both: SQLite in memory,
 * and PostgreSQL in a fresh database of the run's server (test/global-setup.ts).
 */
export interface OpenedStores {
  store: RunStore;
  queue: JobQueue;
  close(): Promise<void>;
}

export interface Backend {
  name: "sqlite" | "postgres";
  /** A new, empty database; `open` may be called on it several times (replicas, or a reopen). */
  create(): Promise<{ open(now?: () => number, replicaId?: string): OpenedStores }>;
}

const quiet = createLogger("silent");

export function openPg(
  url: string,
  now: () => number = Date.now,
  replicaId = "test",
): OpenedStores & {
  bridge: PgBridge;
} {
  const bridge = new PgBridge({ url, poolSize: 4, statementTimeoutMs: 10_000, replicaId, logger: quiet });
  return {
    bridge,
    store: new PgRunStore(bridge, now),
    queue: new PgJobQueue(bridge, now),
    close: () => bridge.close(),
  };
}

export const backends: Backend[] = [
  {
    name: "sqlite",
    create: async () => {
      // One in-memory database shared by every `open` of this test (a second SQLite process is not a thing).
      let shared: SqliteRunStore | null = null;
      return {
        open: (now = Date.now) => {
          shared ??= new SqliteRunStore(":memory:", () => now());
          const store = shared;
          return { store, queue: new SqliteJobQueue(store.db, () => now()), close: async () => undefined };
        },
      };
    },
  },
  {
    name: "postgres",
    create: async () => {
      const url = await freshDatabase(inject("postgresUrl"));
      return { open: (now = Date.now, replicaId = "test") => openPg(url, now, replicaId) };
    },
  },
];
