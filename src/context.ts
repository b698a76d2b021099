import { RepositoryRegistry } from "./code/repositories.ts";
import { type Config, configSecrets } from "./config.ts";
import { rememberSecrets } from "./format/scrub.ts";
import type { Logger } from "./log.ts";
import { SentryClient } from "./sentry/client.ts";
import { Slots } from "./sentry/concurrency.ts";
import { SentryHttp } from "./sentry/http.ts";
import { RunChanges } from "./store/changes.ts";
import { openStores, type Stores } from "./store/open.ts";
import type { DatabaseHealth } from "./store/pg-bridge.ts";
import type { JobQueue } from "./store/queue-types.ts";
import type { RunStore } from "./store/types.ts";

/** The dependencies every handler receives. Built once per process; tests build their own. */
export interface Context {
  config: Config;
  sentry: SentryClient;
  /** The repositories this server may read, and which Sentry projects they serve. */
  repos: RepositoryRegistry;
  logger: Logger;
  clock: { now(): number };
  /**
   * The run store, opened on first use (so a bad AUTOFIX_DB or an unreachable AUTOFIX_DATABASE_URL fails the
   * stage tools, not the server): SQLite by default, PostgreSQL when `store.url` is set.
   */
  store(): RunStore;
  /** The background job queue, in the same database as the runs. */
  queue(): JobQueue;
  /** The database's state for /healthz (reachable, migration version, pool use); opens it if need be. */
  database(): Promise<DatabaseHealth>;
  /** Notices of runs that changed, for resource subscriptions. */
  changes: RunChanges;
  /** Secret values (tokens) that must never appear in output or logs. */
  secrets: readonly string[];
  /**
   * Analyses (root cause, solution) running at once in this process; more wait their turn in order, so
   * cheap calls and /healthz keep the event loop to themselves between an analysis's CPU-heavy steps.
   */
  analyses: Slots;
  /** Releases sockets and handles at shutdown. */
  close(): Promise<void>;
}

/**
 * Analyses at once in one process. An analysis spends most of its time waiting on Sentry and git, so a few at
 * once keep both cores and the Sentry client's 12 request slots busy; more would only interleave their CPU
 * steps and stretch every other caller's wait.
 */
export const MAX_ANALYSES = 4;
/** Analyses at once for one MCP session, so one busy client cannot hold every slot. */
export const MAX_SESSION_ANALYSES = 2;

export function createContext(config: Config, logger: Logger): Context {
  rememberSecrets(configSecrets(config));
  const http = new SentryHttp({
    token: config.sentry.token,
    timeoutMs: config.sentry.timeoutMs,
    maxRetries: config.sentry.maxRetries,
    hedge: config.sentry.hedge,
    logger: logger.child({ component: "sentry" }),
  });
  const sentry = new SentryClient(config.sentry, http, logger.child({ component: "sentry" }));
  const repos = new RepositoryRegistry({ config, sentry, logger });
  const analyses = new Slots(MAX_ANALYSES);
  let stores: Stores | null = null;
  const changes = new RunChanges((error) => logger.warn("a run subscription listener failed", { error }));
  const open = (): Stores => {
    stores ??= openStores(config, () => context.clock.now(), changes, logger);
    return stores;
  };
  const context: Context = {
    config,
    sentry,
    repos,
    logger,
    clock: { now: () => Date.now() },
    store: () => open().store,
    queue: () => open().queue,
    database: async () => {
      try {
        return await open().health();
      } catch (error) {
        return {
          kind: config.store.url ? "postgres" : "sqlite",
          reachable: false,
          error: (error as Error).message,
          migration: 0,
        };
      }
    },
    changes,
    secrets: configSecrets(config),
    analyses,
    close: async () => {
      await stores?.close();
      await http.close();
    },
  };
  return context;
}
