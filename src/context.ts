import type { Clock } from "./clock.ts";
import { RepositoryRegistry } from "./code/repositories.ts";
import { type Config, configSecrets } from "./config.ts";
import type { Logger } from "./log.ts";
import { SentryClient } from "./sentry/client.ts";
import { Slots } from "./sentry/concurrency.ts";
import { SentryHttp } from "./sentry/http.ts";
import { RunChanges } from "./store/changes.ts";
import { openStores, type Stores } from "./store/open.ts";
import type { DatabaseHealth } from "./store/pg-bridge.ts";
import type { JobQueue } from "./store/queue-types.ts";
import type { RunStore } from "./store/types.ts";
import { rememberSecrets } from "./text/scrub.ts";

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
 * What the stages (root cause, solution, handoff) receive. A tool call provides one, with the client's
 * progress notifications; the background worker provides one too, whose progress goes nowhere.
 */
export interface StageContext
  extends Pick<Context, "config" | "sentry" | "repos" | "store" | "queue" | "logger" | "clock" | "secrets"> {
  signal: AbortSignal;
  /** Reports progress to whoever listens (a client that sent a progress token); may do nothing. */
  progress(done: number, total: number | undefined, message: string): Promise<void>;
  /**
   * Asks the person behind the client one short question and waits for the answer: null when they decline
   * or cancel, or it cannot be asked. Present only for a client that can show a form (MCP elicitation);
   * background runs have none, and then a stage says in its result what is missing instead.
   * On a 2026-07-28 client the answer comes back on a retried request instead: `ask` throws
   * {@link AwaitingAnswer}, and the retry runs the stage again from the start with the answer ready. So a
   * stage asks before it writes anything (a run, feedback), and asks the same question again on the retry.
   */
  ask?(question: Question): Promise<Answer | null>;
}

/**
 * Thrown by `ask` when the question goes out with the call's result and its answer arrives on a retried
 * call (MCP 2026-07-28 input_required). Not a failure: a stage lets it pass, the tool runner turns it into
 * the input-required result.
 */
export class AwaitingAnswer extends Error {
  constructor(
    readonly question: Question,
    /** Names this question on the retry: the answer counts only for the question that was asked. */
    readonly id: string,
  ) {
    super("awaiting the person's answer");
    this.name = "AwaitingAnswer";
  }
}

/**
 * A question as a flat form: one object of string, number, boolean or enum fields (what MCP elicitation
 * can render). Never a secret: nothing asked for here may be a token or a password.
 */
export interface Question {
  /**
   * What is asked, in words that stay the same on a retry of the call (the project, the frame, the issue):
   * with the form, it names the question a 2026-07-28 answer belongs to. The message may change (a hint
   * listing the repositories known at the time); this must not.
   */
  about: string;
  /** One or two short sentences. */
  message: string;
  schema: {
    type: "object";
    properties: Record<string, QuestionField>;
    required?: string[];
  };
}

export type QuestionField =
  | { type: "string"; title: string; description?: string; maxLength?: number; enum?: string[] }
  | { type: "boolean"; title: string; description?: string; default?: boolean }
  | { type: "number"; title: string; description?: string; minimum?: number; maximum?: number };

/** The form's values, as the client sent them: user input, to be checked before use. */
export type Answer = Record<string, unknown>;

/** A stage context for work no client watches: the background worker, benchmarks. */
export function unwatchedStage(ctx: Context, signal: AbortSignal, logger = ctx.logger): StageContext {
  return { ...ctx, signal, logger, progress: async () => undefined };
}

/**
 * Analyses at once in one process. An analysis spends most of its time waiting on Sentry and git, so a few at
 * once keep both cores and the Sentry client's 12 request slots busy; more would only interleave their CPU
 * steps and stretch every other caller's wait.
 */
export const MAX_ANALYSES = 4;
/** Analyses at once for one MCP session, so one busy client cannot hold every slot. */
export const MAX_SESSION_ANALYSES = 2;

/** `upstreamClock`: time for the Sentry and GitHub clients' retries and caches; the fault tests fake it. */
export function createContext(config: Config, logger: Logger, upstreamClock?: Clock): Context {
  rememberSecrets(configSecrets(config));
  const http = new SentryHttp({
    token: config.sentry.token,
    timeoutMs: config.sentry.timeoutMs,
    maxRetries: config.sentry.maxRetries,
    hedge: config.sentry.hedge,
    logger: logger.child({ component: "sentry" }),
    ...(upstreamClock ? { now: upstreamClock.now, sleep: upstreamClock.sleep } : {}),
  });
  const sentry = new SentryClient(config.sentry, http, logger.child({ component: "sentry" }));
  const repos = new RepositoryRegistry({
    config,
    sentry,
    logger,
    ...(upstreamClock ? { clock: upstreamClock } : {}),
  });
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
