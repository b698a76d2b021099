import type { SandboxHandle } from "../../src/sandbox/server.ts";
import { connect, type TestContextOptions, testContext, textOf } from "../helpers/context.ts";
import { scenarioNamed } from "../helpers/session.ts";
import { prepareScenario } from "../scenarios/setup.ts";
import { CORPUS_NOW } from "../scenarios/types.ts";

/**
 * `npm run bench:hang`: time to answer when Sentry hangs, at the default settings (a 20 s deadline per
 * call, hedges after 1.5–3 s), on the s01 incident (its analysis crosses services):
 * - the first request to every URL hangs 30 s: get_issue and analyze_root_cause, complete or not;
 * - only the issue and its event answer: what the two tools answer, and how many sources they name missing;
 * - nothing answers: every tool.
 * BENCH_HANG_BASELINE=1 adds the first case without hedges or a deadline (what the server did before).
 */
const RUNS = Number(process.env.BENCH_HANG_RUNS ?? 3);
const scenario = scenarioNamed("s01-frontend-backend-500");
const ISSUE = { issue: scenario.issue };

interface Answer {
  ms: number;
  isError: boolean;
  text: string;
  missing: string[];
}

async function main(): Promise<void> {
  const prepared = await prepareScenario(scenario, { rateLimit: { limit: 1_000_000, windowSeconds: 60 } });
  const sandbox = prepared.sandbox;
  const options = (more: Partial<TestContextOptions> = {}): TestContextOptions => ({
    sentryUrl: sandbox.url,
    now: CORPUS_NOW,
    env: { ...prepared.env, AUTOFIX_DB: ":memory:" },
    ...more,
  });
  /** One call on a fresh server (no region or code-mapping cache), as the first call of a session is. */
  const callFresh = async (
    name: string,
    args: Record<string, unknown>,
    more?: Partial<TestContextOptions>,
  ) => {
    const context = testContext(options(more));
    const session = await connect(context);
    try {
      return await call(session.client, name, args);
    } finally {
      await session.close();
      await context.close();
    }
  };
  const out: string[] = [
    `autofix-mcp bench:hang — s01 (${scenario.issue}), default settings: 20 s deadline per call, hedges after 1.5–3 s; ${RUNS} runs per row`,
    "",
  ];

  const firstHangs = () => {
    sandbox.faults.clear();
    sandbox.faults.add({ match: "/", kind: "slow", delayMs: 30_000, times: 1, perUrl: true });
  };
  const firstRows: string[] = [];
  const naive = process.env.BENCH_HANG_BASELINE === "1";
  for (const [label, more] of [
    ["hedges + deadline", {}],
    ...(naive
      ? ([
          [
            "baseline: no hedge, no deadline",
            { deadlineMs: 600_000, hedge: { floorMs: 600_000, capMs: 600_000 } },
          ],
        ] as const)
      : []),
  ] as Array<[string, Partial<TestContextOptions>]>) {
    for (const tool of ["get_issue", "analyze_root_cause"]) {
      const answers: Answer[] = [];
      let requests = 0;
      for (let i = 0; i < RUNS; i++) {
        firstHangs();
        sandbox.clearRequests();
        answers.push(await callFresh(tool, ISSUE, more));
        requests = sandbox.requests.length;
      }
      const times = answers.map((a) => a.ms).sort((a, b) => a - b);
      const complete = answers.filter((a) => !a.isError && a.missing.length === 0).length;
      firstRows.push(
        `| ${label} | ${tool} | ${seconds(times[Math.floor(times.length / 2)]!)} | ${seconds(times.at(-1)!)} | ${complete}/${answers.length} | ${requests} (${duplicates(sandbox)} repeated) |`,
      );
    }
  }
  out.push(
    "### The first request to every URL hangs 30 s",
    "",
    "| settings | tool | median | slowest | complete | Sentry requests, last run (repeated: hedges or retries) |",
    "|---|---|---|---|---|---|",
    ...firstRows,
    "",
  );

  sandbox.faults.clear();
  sandbox.faults.add({
    match: /^(?!.*(\/users\/me\/regions\/|\/issues\/STOREFRONT-2M\/$|\/events\/recommended\/$))/,
    kind: "hang",
  });
  const partial = await Promise.all(
    ["get_issue", "analyze_root_cause"].map(async (tool) => [tool, await callFresh(tool, ISSUE)] as const),
  );
  out.push(
    "### Only the issue and its event answer; every other request hangs",
    "",
    "| tool | time to answer | answer | sources named missing |",
    "|---|---|---|---|",
    ...partial.map(
      ([tool, a]) =>
        `| ${tool} | ${seconds(a.ms)} | ${a.isError ? "error" : "partial"} | ${a.missing.length}: ${a.missing.map((m) => m.split(":")[0]).join(", ")} |`,
    ),
    "",
  );

  // A run to work on, made while Sentry still answers, in a database the next servers share.
  sandbox.faults.clear();
  const onDisk = { env: { ...prepared.env } };
  const made = await callFresh("analyze_root_cause", ISSUE, onDisk);
  const runId = /run `(run_[A-Za-z0-9_]+)`/.exec(made.text)?.[1];
  if (!runId) throw new Error(`no run: ${made.text.slice(0, 300)}`);
  sandbox.faults.add({ match: "/", kind: "hang" });
  const readers: Array<[string, Record<string, unknown>]> = [
    ["get_issue", ISSUE],
    ["get_trace", ISSUE],
    ["search_logs", ISSUE],
    ["get_profile", ISSUE],
    ["search_issues", {}],
    ["get_rules", { repo: scenario.expected.repo }],
    ["analyze_root_cause", ISSUE],
  ];
  // A server per call, side by side: each call's time is its own.
  const hung = await Promise.all(
    readers.map(async ([tool, args]) => [tool, await callFresh(tool, args)] as const),
  );
  // Tools on the stored run, one after another (they write the same run).
  for (const [tool, args] of [
    ["add_feedback", { run_id: runId, message: "it started after the gift-card import" }],
    ["propose_solution", { run_id: runId }],
    ["hand_off", { run_id: runId }],
    ["get_run", { run_id: runId }],
  ] as const)
    hung.push([tool, await callFresh(tool, args, onDisk)] as const);
  out.push(
    "### Nothing answers",
    "",
    "| tool | time to answer | answer | first line |",
    "|---|---|---|---|",
    ...hung.map(
      ([tool, a]) =>
        `| ${tool} | ${seconds(a.ms)} | ${a.isError ? "error" : a.missing.length > 0 ? "partial" : "complete"} | ${firstLine(a.text)} |`,
    ),
  );
  process.stdout.write(`${out.join("\n")}\n`);
  await prepared.close();
}

async function call(
  client: Awaited<ReturnType<typeof connect>>["client"],
  name: string,
  args: Record<string, unknown>,
): Promise<Answer> {
  const started = performance.now();
  const result = await client.callTool({ name, arguments: args }, { timeout: 600_000 });
  const ms = performance.now() - started;
  const structured = (result.structuredContent ?? {}) as { unavailable?: string[]; notes?: string[] };
  const text = textOf(result);
  const missing = [
    ...(structured.unavailable ?? []),
    ...(structured.notes ?? []).filter((n) => n.startsWith("Unavailable: ")).map((n) => n.slice(13)),
    ...(/\*\*Notes\*\*: (.*)/.exec(text)?.[1]?.includes("unavailable") ? ["issue details"] : []),
  ];
  return { ms, isError: result.isError === true, text, missing };
}

/** Requests for a URL already asked for: hedges (or, without them, retries after a timeout). */
function duplicates(sandbox: SandboxHandle): number {
  const counts = new Map<string, number>();
  for (const r of sandbox.requests)
    counts.set(`${r.path}?${r.query}`, (counts.get(`${r.path}?${r.query}`) ?? 0) + 1);
  return [...counts.values()].reduce((sum, n) => sum + n - 1, 0);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function firstLine(text: string): string {
  return (text.split("\n").find((l) => l.trim() !== "") ?? "").slice(0, 110).replace(/\|/g, "\\|");
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : error}\n`);
  process.exit(1);
});
