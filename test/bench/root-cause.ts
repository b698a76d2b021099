import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unwatchedStage } from "../../src/context.ts";
import { gatherSignals } from "../../src/stages/gather.ts";
import { connect, textOf } from "../helpers/context.ts";
import { sequentialRoundTrips } from "../helpers/round-trips.ts";
import { corpus } from "../scenarios/index.ts";
import { prepareScenario } from "../scenarios/setup.ts";
import type { CorpusScenario } from "../scenarios/types.ts";

/**
 * The root-cause corpus, measured: accuracy of analyze_root_cause beside the naive baseline "innermost
 * in-app frame" computed from the same data in the same run, grounding, latency with injected Sentry
 * latency, Sentry requests and sequential round trips per run (the longest chain in the sandbox's request log
 * of requests that each started after the one before was answered), and output size.
 */
export interface RootCauseBench {
  table: string;
}

interface Row {
  name: string;
  verdictOk: boolean;
  file1: boolean;
  file3: boolean;
  fn1: boolean;
  fn3: boolean;
  naiveFile1: boolean;
  naiveFile3: boolean;
  naiveFn1: boolean;
  naiveFn3: boolean;
  naiveVerdictOk: boolean;
  grounded: number;
  steps: number;
  times: number[];
  requests: number;
  rounds: number;
  /** The analysis read another service's event (a cross-service hop). */
  hop: boolean;
  chars: number;
  /** hand_off's brief, after propose_solution, in characters. */
  brief: number;
  planNamesCulprit: boolean;
}

export async function benchRootCause(latencyMs: number, runs: number): Promise<string> {
  const rows: Row[] = [];
  const base = mkdtempSync(join(tmpdir(), "autofix-bench-"));
  for (const scenario of corpus)
    rows.push(await benchScenario(scenario, latencyMs, runs, join(base, scenario.name)));
  const inApp = rows.filter((_, i) => corpus[i]!.expected.verdict === "in_app");
  const pct = (xs: boolean[]) =>
    `${Math.round((100 * xs.filter(Boolean).length) / xs.length)}% (${xs.filter(Boolean).length}/${xs.length})`;
  const times = rows.flatMap((r) => r.times).sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!;
  const steps = rows.reduce((s, r) => s + r.steps, 0);
  const grounded = rows.reduce((s, r) => s + r.grounded, 0);
  const out = [
    `Root-cause corpus: ${rows.length} incidents (${inApp.length} with an in-app culprit), Sentry latency ${latencyMs} ms per request, ${runs} runs each`,
    "",
    "| metric | analyze_root_cause | baseline: innermost in-app frame |",
    "|---|---|---|",
    `| file@1 | ${pct(inApp.map((r) => r.file1))} | ${pct(inApp.map((r) => r.naiveFile1))} |`,
    `| file@3 | ${pct(inApp.map((r) => r.file3))} | ${pct(inApp.map((r) => r.naiveFile3))} |`,
    `| function@1 | ${pct(inApp.map((r) => r.fn1))} | ${pct(inApp.map((r) => r.naiveFn1))} |`,
    `| function@3 | ${pct(inApp.map((r) => r.fn3))} | ${pct(inApp.map((r) => r.naiveFn3))} |`,
    `| verdict (all ${rows.length}) | ${pct(rows.map((r) => r.verdictOk))} | ${pct(rows.map((r) => r.naiveVerdictOk))} |`,
    `| causal-chain steps grounded | ${Math.round((100 * grounded) / steps)}% (${grounded}/${steps}) | — |`,
    `| latency p50 / p95 | ${q(0.5).toFixed(0)} ms / ${q(0.95).toFixed(0)} ms | — |`,
    `| Sentry requests per run (mean) | ${(rows.reduce((s, r) => s + r.requests, 0) / rows.length).toFixed(1)} | — |`,
    `| sequential Sentry round trips (max) | ${Math.max(...rows.map((r) => r.rounds))} (mean ${(rows.reduce((s, r) => s + r.rounds, 0) / rows.length).toFixed(1)}) | — |`,
    `| round trips, one service (max, target ≤ 2) | ${maxRounds(rows.filter((r) => !r.hop))} | — |`,
    `| round trips, cross-service hop (max, target ≤ 3) | ${maxRounds(rows.filter((r) => r.hop))} | — |`,
    `| output size (mean / max chars) | ${Math.round(rows.reduce((s, r) => s + r.chars, 0) / rows.length)} / ${Math.max(...rows.map((r) => r.chars))} | — |`,
    `| plan names the culprit file | ${pct(inApp.map((r) => r.planNamesCulprit))} | — |`,
    `| hand_off brief (mean / max chars, limit 20,000) | ${Math.round(rows.reduce((s, r) => s + r.brief, 0) / rows.length)} / ${Math.max(...rows.map((r) => r.brief))} | — |`,
    "",
    "| scenario | ours@1 | naive@1 | round trips | requests | chars | brief chars |",
    "|---|---|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.verdictOk && (r.file1 || !inApp.includes(r)) ? "yes" : "no"} | ${r.naiveVerdictOk && (r.naiveFile1 || !inApp.includes(r)) ? "yes" : "no"} | ${r.rounds}${r.hop ? " (hop)" : ""} | ${r.requests} | ${r.chars} | ${r.brief} |`,
    ),
  ];
  return out.join("\n");
}

function maxRounds(rows: Row[]): string {
  return rows.length === 0 ? "—" : `${Math.max(...rows.map((r) => r.rounds))} (${rows.length} incidents)`;
}

async function benchScenario(
  scenario: CorpusScenario,
  latencyMs: number,
  runs: number,
  dir: string,
): Promise<Row> {
  const prepared = await prepareScenario(scenario, { dir });
  const session = await connect(prepared.context);
  const expected = scenario.expected;
  const naive = await naiveBaseline(prepared, scenario);
  // Warm caches that a long-running server holds (region discovery, code mappings), then measure.
  await session.client.callTool({ name: "get_issue", arguments: { issue: scenario.issue } });
  prepared.sandbox.setLatency(latencyMs);
  const times: number[] = [];
  let out: any;
  let chars = 0;
  let requests = 0;
  let rounds = 0;
  let hop = false;
  for (let i = 0; i < runs; i++) {
    prepared.sandbox.clearRequests();
    const started = performance.now();
    const result = await session.client.callTool({
      name: "analyze_root_cause",
      arguments: { issue: scenario.issue },
    });
    times.push(performance.now() - started);
    out = result.structuredContent;
    chars = textOf(result).length;
    requests = prepared.sandbox.requests.length;
    rounds = sequentialRoundTrips(prepared.sandbox.requests);
    hop = prepared.sandbox.requests.some((r) =>
      /^\/api\/0\/projects\/[^/]+\/[^/]+\/events\/[^/]+\/$/.test(r.path),
    );
  }
  prepared.sandbox.setLatency(0);
  const run = (await session.client.callTool({ name: "get_run", arguments: { run_id: out.run_id } }))
    .structuredContent as any;
  const ids = new Set(run.run.evidence.map((e: { id: string }) => e.id));
  const plan = (
    await session.client.callTool({ name: "propose_solution", arguments: { run_id: out.run_id } })
  ).structuredContent as any;
  const handoff = (await session.client.callTool({ name: "hand_off", arguments: { run_id: out.run_id } }))
    .structuredContent as any;
  const steps = out.causal_chain as Array<{ evidence: string[] }>;
  const at = (k: number, key: "path" | "function") =>
    (out.candidates as any[])
      .slice(0, k)
      .some((c) => c[key] === expected[key === "path" ? "file" : "function"] && c.repo === expected.repo);
  const row: Row = {
    name: scenario.name,
    verdictOk: out.verdict === expected.verdict,
    file1: at(1, "path"),
    file3: at(3, "path"),
    fn1: at(1, "function"),
    fn3: at(3, "function"),
    ...naive,
    grounded: steps.filter((s) => s.evidence.length > 0 && s.evidence.every((e) => ids.has(e))).length,
    steps: steps.length,
    times,
    requests,
    rounds,
    hop,
    chars,
    brief: String(handoff?.brief ?? "").length,
    planNamesCulprit:
      expected.verdict !== "in_app" ||
      (plan?.steps ?? []).some((s: { files: string[] }) => s.files.includes(expected.file as string)),
  };
  await session.close();
  await prepared.close();
  return row;
}

/** The baseline: the innermost in-app frames of the analysed event, mapped to files the same way. */
async function naiveBaseline(
  prepared: Awaited<ReturnType<typeof prepareScenario>>,
  scenario: CorpusScenario,
) {
  const signals = await gatherSignals(unwatchedStage(prepared.context, new AbortController().signal), {
    org: "acme",
    issue: scenario.issue,
    selector: "recommended",
  });
  const stack = signals.main.stack;
  const frames = (stack?.frames ?? [])
    .map((f, i) => ({ f, loc: signals.main.locations[i] }))
    .filter((x) => x.f.inApp)
    .reverse();
  const e = scenario.expected;
  const fileAt = (k: number) =>
    frames.slice(0, k).some((x) => x.loc?.path === e.file && x.loc?.repo === e.repo);
  const fnAt = (k: number) =>
    frames.slice(0, k).some((x) => x.f.function === e.function && x.loc?.repo === e.repo);
  const naiveVerdict = frames.length === 0 ? "third_party" : "in_app";
  return {
    naiveFile1: fileAt(1),
    naiveFile3: fileAt(3),
    naiveFn1: fnAt(1),
    naiveFn3: fnAt(3),
    naiveVerdictOk: naiveVerdict === e.verdict,
  };
}
