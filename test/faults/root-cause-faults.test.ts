import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Fault } from "../../src/sandbox/faults.ts";
import type { SqliteRunStore } from "../../src/store/sqlite.ts";
import { type FakeGitHub, type GitHubFault, startFakeGitHub } from "../fakes/github.ts";
import { connect, testContext, textOf } from "../helpers/context.ts";
import { corpus } from "../scenarios/index.ts";
import { type PreparedScenario, prepareScenario } from "../scenarios/setup.ts";
import { CORPUS_NOW } from "../scenarios/types.ts";

/**
 * analyze_root_cause with Sentry, then GitHub, failing at each step it takes: every way an upstream fails
 * (401, 404, 429 with a reset, 5xx, no answer, an HTML page, cut-off JSON, a reset connection). Timeouts
 * are 300 ms so "no answer" stays fast; test/faults/hang.test.ts covers hedges and the call's deadline. Each call
 * must come back — with a partial result whose notes say what is missing, or, when the issue or its event
 * cannot be read, an error that says who can fix it — after a bounded number of tries, leaving every stored
 * run completed or failed (never stuck) and the store intact. The scenario is s01: a storefront error
 * caused in orders-api, so the analysis crosses services.
 */

const scenario = corpus.find((s) => s.name === "s01-frontend-backend-500")!;
const MAX_RETRIES = 1;
let prepared: PreparedScenario;
let github: FakeGitHub;
let githubConfig: string;

beforeAll(async () => {
  // Many analyses in a minute: lift the sandbox's own rate limit, so only injected 429s happen.
  prepared = await prepareScenario(scenario, { rateLimit: { limit: 1_000_000, windowSeconds: 60 } });
  const connected = prepared.built.repos.filter((r) => r.connected);
  github = await startFakeGitHub({
    repos: Object.fromEntries(connected.map((r) => [r.name, { dir: r.path }])),
    token: null,
  });
  githubConfig = `${prepared.configPath}.github.json`;
  writeFileSync(
    githubConfig,
    JSON.stringify({
      repositories: connected.map((r) => ({ name: r.name, github: r.name, projects: r.projects })),
    }),
  );
});
afterAll(async () => {
  await github?.close();
  await prepared?.close();
});

/** A fresh server (no caches) on a fresh store, so each case starts from nothing. */
async function analyze(options: { viaGitHub?: boolean } = {}) {
  const dbPath = ":memory:";
  const context = testContext({
    sentryUrl: prepared.sandbox.url,
    now: CORPUS_NOW,
    env: {
      ...prepared.env,
      AUTOFIX_DB: dbPath,
      ...(options.viaGitHub ? { AUTOFIX_CONFIG: githubConfig, GITHUB_API_URL: github.url } : {}),
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
    };
  } finally {
    await session.close();
    await context.close();
  }
}

const FAULTS: Record<string, Omit<Fault, "match">> = {
  "401": { status: 401 },
  "404": { status: 404 },
  "429 with a reset": { status: 429, resetSeconds: 0 },
  "502": { status: 502 },
  "no answer": { kind: "hang" },
  "an HTML error page": { kind: "html", status: 503 },
  "cut-off JSON": { kind: "truncated" },
  "a reset connection": { kind: "reset" },
};

/** Each Sentry request analyze_root_cause makes for s01, and whether the analysis can go on without it. */
const SENTRY_STEPS: Array<{ step: string; match: RegExp; required: boolean; note: RegExp; calls?: number }> =
  [
    { step: "the issue", match: /\/issues\/STOREFRONT-2M\/$/, required: true, note: /./ },
    { step: "its event", match: /\/events\/recommended\/$/, required: true, note: /./ },
    { step: "tag distribution", match: /\/issues\/[^/]+\/tags\//, required: false, note: /tag/ },
    { step: "code mappings", match: /\/code-mappings\//, required: false, note: /code mappings/ },
    { step: "the release", match: /\/releases\/[^/]+\/$/, required: false, note: /release/ },
    {
      step: "release commits",
      match: /\/releases\/[^/]+\/commits\//,
      required: false,
      note: /release commits/,
    },
    { step: "suspect commits", match: /\/committers\//, required: false, note: /suspect commits/ },
    { step: "trace summary", match: /\/trace-meta\//, required: false, note: /trace summary/ },
    { step: "the trace", match: /\/trace\/[0-9a-f]+\/$/, required: false, note: /trace/ },
    // Logs are asked for twice when the first query fails: the current dataset, then the older one.
    { step: "logs", match: /\/organizations\/acme\/events\/$/, required: false, note: /logs/, calls: 2 },
    {
      step: "the other service's error",
      match: /\/projects\/acme\/orders-api\/events\//,
      required: false,
      note: /orders-api/,
    },
  ];

describe.each(SENTRY_STEPS)("Sentry failing at $step", ({ match, required, note, calls = 1 }) => {
  it.each(Object.entries(FAULTS))("with %s", async (name, fault) => {
    prepared.sandbox.faults.clear();
    prepared.sandbox.clearRequests();
    prepared.sandbox.faults.add({ match, ...fault });
    const { result, text, out, runs, problems } = await analyze();
    prepared.sandbox.faults.clear();

    const tries = prepared.sandbox.requests.filter((r) => match.test(r.path)).length;
    // One try, one retry; a 404 may fall back to one other endpoint (shortids, the latest event, per-key tags).
    expect(tries).toBeLessThanOrEqual(name === "404" ? 12 : calls * (1 + MAX_RETRIES) + 1);
    expect(problems).toEqual([]);
    expect(runs.every((r) => r.status === "completed" || r.status === "failed")).toBe(true);
    expect(text).not.toMatch(/<html|<body|\bat \S+ \(.*:\d+:\d+\)/i);

    if (result.isError) {
      expect(required || name === "404").toBe(true);
      expect(text).toMatch(/Sentry|token/);
      expect(text).toMatch(/Next: /);
      expect(runs.every((r) => r.status === "failed")).toBe(true);
    } else {
      expect(out?.candidates.length).toBeGreaterThan(0);
      // A 404 is an answer (nothing stored), not a failure; anything else is named in the notes.
      if (!required && name !== "404") expect(out?.notes.join("\n")).toMatch(note);
      expect(runs.map((r) => r.status)).toEqual(["completed"]);
    }
  });
});

const GITHUB_STEPS: Array<{ step: string; match: RegExp }> = [
  { step: "resolving the ref", match: /\/commits\/([0-9a-f]{40}|main)$/ },
  { step: "the tree", match: /\/git\/trees\// },
  { step: "the repository", match: /^\/repos\/[^/]+\/[^/]+$/ },
  { step: "history", match: /\/commits$/ },
  { step: "file contents", match: /\/contents\// },
];
const GITHUB_FAULTS: Record<string, Omit<GitHubFault, "match">> = {
  "401": { status: 401 },
  "404": { status: 404 },
  "502": { status: 502 },
  "no answer": { kind: "hang" },
  "an HTML error page": { kind: "html" },
  "cut-off JSON": { kind: "truncated" },
  "a reset connection": { kind: "reset" },
};

describe("with the code on GitHub", () => {
  it("finds the culprit when GitHub answers", async () => {
    github.restore();
    const { out, result } = await analyze({ viaGitHub: true });
    expect(result.isError).toBeFalsy();
    expect(out?.candidates[0]).toMatchObject({ repo: scenario.expected.repo, path: scenario.expected.file });
  });

  describe.each(GITHUB_STEPS)("GitHub failing at $step", ({ match }) => {
    it.each(Object.entries(GITHUB_FAULTS))("with %s", async (_name, fault) => {
      github.restore();
      github.requests.length = 0;
      github.fail({ match, ...fault });
      const { result, text, out, runs, problems } = await analyze({ viaGitHub: true });
      github.restore();

      // Code is evidence, not a precondition: the analysis completes from Sentry's data.
      expect(result.isError, text).toBeFalsy();
      expect(out?.candidates.length).toBeGreaterThan(0);
      expect(problems).toEqual([]);
      expect(runs.map((r) => r.status)).toEqual(["completed"]);
      expect(text).not.toMatch(/<html|<body/i);
      const tries = github.requests.filter((r) => match.test(r.path)).length;
      expect(tries).toBeGreaterThan(0);
      // Bounded: no request loops. (Each file, ref and commit is its own request; none is retried more than once.)
      const perPath = new Map<string, number>();
      for (const r of github.requests.filter((q) => match.test(q.path)))
        perPath.set(r.path, (perPath.get(r.path) ?? 0) + 1);
      expect(Math.max(...perPath.values())).toBeLessThanOrEqual(4);
    });
  });
});
