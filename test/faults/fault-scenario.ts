import { writeFileSync } from "node:fs";
import { afterAll, beforeAll } from "vitest";
import type { SqliteRunStore } from "../../src/store/sqlite.ts";
import { type FakeGitHub, startFakeGitHub } from "../fakes/github.ts";
import { connect, fakeClock, testContext, textOf } from "../helpers/context.ts";
import { scenarioNamed } from "../helpers/session.ts";
import { type PreparedScenario, prepareScenario } from "../scenarios/setup.ts";
import { CORPUS_NOW } from "../scenarios/types.ts";

/**
 * analyze_root_cause with Sentry (sentry-faults.test.ts), then GitHub (github-faults.test.ts), failing at
 * each step it takes: every way an upstream fails (401, 404, 429 with a reset, 5xx, no answer, an HTML page,
 * cut-off JSON, a reset connection). Timeouts are 300 ms so "no answer" stays fast, and the waits between
 * tries pass on a fake clock; test/faults/hang.test.ts covers hedges and the call's deadline. Each call
 * must come back — with a partial result whose notes say what is missing, or, when the issue or its event
 * cannot be read, an error that says who can fix it — after a bounded number of tries, leaving every stored
 * run completed or failed (never stuck) and the store intact. The scenario is s01: a storefront error
 * caused in orders-api, so the analysis crosses services.
 */

export const scenario = scenarioNamed("s01-frontend-backend-500");
export const MAX_RETRIES = 1;
/** Filled in before the file's tests run: the s01 sandbox, and a fake GitHub serving its repositories. */
export const env = {} as { prepared: PreparedScenario; github: FakeGitHub; githubConfig: string };

/** Registers the file's set-up: call at the top of a fault test file. */
export function useFaultScenario(): void {
  beforeAll(async () => {
    // Many analyses in a minute: lift the sandbox's own rate limit, so only injected 429s happen.
    env.prepared = await prepareScenario(scenario, { rateLimit: { limit: 1_000_000, windowSeconds: 60 } });
    const connected = env.prepared.built.repos.filter((r) => r.connected);
    env.github = await startFakeGitHub({
      repos: Object.fromEntries(connected.map((r) => [r.name, { dir: r.path }])),
      token: null,
    });
    env.githubConfig = `${env.prepared.configPath}.github.json`;
    writeFileSync(
      env.githubConfig,
      JSON.stringify({
        repositories: connected.map((r) => ({ name: r.name, github: r.name, projects: r.projects })),
      }),
    );
  });
  afterAll(async () => {
    await env.github?.close();
    await env.prepared?.close();
  });
}

/** A fresh server (no caches) on a fresh store, so each case starts from nothing. */
export async function analyze(options: { viaGitHub?: boolean } = {}) {
  const dbPath = ":memory:";
  const clock = fakeClock();
  const context = testContext({
    upstreamClock: clock,
    sentryUrl: env.prepared.sandbox.url,
    now: CORPUS_NOW,
    env: {
      ...env.prepared.env,
      AUTOFIX_DB: dbPath,
      ...(options.viaGitHub ? { AUTOFIX_CONFIG: env.githubConfig, GITHUB_API_URL: env.github.url } : {}),
    },
    argv: options.viaGitHub ? ["--allow-http"] : [],
    maxRetries: MAX_RETRIES,
    timeoutMs: 300,
    githubTimeoutMs: 300,
  });
  const session = await connect(context);
  try {
    const result = await session.client.callTool({
      name: "analyze_root_cause",
      arguments: { issue: scenario.issue },
    });
    const store = context.store() as SqliteRunStore;
    return {
      result,
      text: textOf(result),
      out: result.structuredContent as
        | { notes: string[]; verdict: string; candidates: unknown[] }
        | undefined,
      runs: store.listRuns({ limit: 10 }),
      problems: store.check(),
      /** Time the clients spent waiting between tries (moved on, not slept). */
      waited: clock.skipped(),
    };
  } finally {
    await session.close();
    await context.close();
  }
}
