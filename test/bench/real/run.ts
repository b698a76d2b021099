import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startSandbox } from "../../../src/sandbox/server.ts";
import { resolveRef } from "../../../src/sentry/issue-ref.ts";
import { gatherSignals } from "../../../src/stages/gather.ts";
import { analyzeSignals } from "../../../src/stages/root-cause/analyze.ts";
import { RANKING_SIGNALS, type RankingOptions } from "../../../src/stages/root-cause/rank.ts";
import { connect, testContext } from "../../helpers/context.ts";
import { loadCases, mirrors, TUNING_PROJECTS } from "./defects4j.ts";
import { caseScenario, projectOf, shortIdOf } from "./events.ts";
import { baseline, type Ranked, type Row, score, table } from "./score.ts";

/**
 * `npm run bench:real -- --mirrors DIR`: analyze_root_cause on real crashes. Each Defects4J bug of the
 * tuning projects becomes a Sentry issue served by the sandbox, the upstream repository (a `fetch` mirror,
 * never copied into this project) is connected at the buggy revision through the event's release, and the
 * ranking is scored against the files and methods the real fix changed, beside the plain stack.
 *   --projects Lang,Math   a subset (default: all nine tuning projects)
 *   --limit N              at most N bugs per project
 *   --tier main            only one tier (main: a main-source frame; test-only: only test code in-app)
 *   --ablate               also rank with each signal switched off, one at a time
 *   --json FILE            write every case's ranking for inspection
 */

const { values: args } = parseArgs({
  options: {
    mirrors: { type: "string" },
    projects: { type: "string" },
    limit: { type: "string" },
    tier: { type: "string" },
    ablate: { type: "boolean", default: false },
    json: { type: "string" },
  },
});

if (!args.mirrors) {
  process.stderr.write(
    "usage: npm run bench:real -- --mirrors DIR [--projects Lang,Math] [--limit N] [--tier main|test-only] [--ablate]\n",
  );
  process.exit(2);
}

const work = mkdtempSync(join(tmpdir(), "autofix-real-"));
const m = mirrors(args.mirrors, work);
const projects = (args.projects ?? Object.keys(TUNING_PROJECTS).join(",")).split(",");
const limit = args.limit ? Number(args.limit) : Number.POSITIVE_INFINITY;
const variants: Array<[string, RankingOptions]> = [["all signals", {}]];
if (args.ablate) {
  for (const s of RANKING_SIGNALS) variants.push([`without ${s}`, { disable: [s] }]);
  for (const scale of [0.25, 0.5, 2]) variants.push([`history ×${scale}`, { historyScale: scale }]);
}

const rows = new Map<string, Row[]>(variants.map(([name]) => [name, []]));
const dump: unknown[] = [];

for (const [index, project] of projects.entries()) {
  const cases = loadCases(m, project, limit).filter((c) => !args.tier || c.tier === args.tier);
  const def = projectOf(project, index);
  // Every case is a separate incident: lift the sandbox's per-minute request limit.
  const sandbox = await startSandbox({
    scenario: caseScenario(cases, [def]),
    rateLimit: { limit: 1_000_000, windowSeconds: 60 },
  });
  const upstream = TUNING_PROJECTS[project]!.upstream;
  const configPath = join(work, `${project}.json`);
  writeFileSync(
    configPath,
    JSON.stringify({ repositories: [{ name: upstream, path: m.replay(project), projects: [def.slug] }] }),
  );
  const context = testContext({
    sentryUrl: sandbox.url,
    env: { AUTOFIX_CONFIG: configPath, AUTOFIX_DB: join(work, `${project}.db`) },
  });
  const session = await connect(context);
  for (const c of cases) {
    const naive = baseline(c);
    const started = performance.now();
    const result = await session.client.callTool({
      name: "analyze_root_cause",
      arguments: { issue: shortIdOf(c) },
    });
    const ms = performance.now() - started;
    const out = result.structuredContent as
      | { candidates?: Ranked[]; confidence?: { level: string } }
      | undefined;
    if (result.isError || !out)
      process.stderr.write(`${shortIdOf(c)}: ${JSON.stringify(result.content).slice(0, 300)}\n`);
    const record = (name: string, candidates: Ranked[], confidence: string) =>
      rows
        .get(name)!
        .push({ c, ours: score(c, candidates), naive: score(c, naive), confidence, ms, candidates });
    record("all signals", out?.candidates ?? [], out?.confidence?.level ?? "none");
    if (variants.length > 1) {
      const ctx = Object.assign(Object.create(context), { signal: new AbortController().signal });
      const { org, ref, selector } = await resolveRef(context.sentry, { issue: shortIdOf(c) });
      const signals = await gatherSignals(ctx, { org, issue: ref.id, selector });
      for (const [name, options] of variants.slice(1)) {
        const { result: alt } = await analyzeSignals(signals, options);
        record(name, alt.candidates, alt.confidence.level);
      }
    }
    dump.push({
      case: shortIdOf(c),
      tier: c.tier,
      gold: c.gold,
      naive: naive.slice(0, 3),
      ours: (out?.candidates ?? []).slice(0, 5),
      confidence: out?.confidence,
    });
    process.stderr.write(".");
  }
  process.stderr.write(` ${project} (${cases.length})\n`);
  await session.close();
  await context.close();
  await sandbox.close();
}

const report: string[] = [`# Real crashes (Defects4J: ${projects.join(", ")})`, ""];
const main = (name: string) => rows.get(name)!.filter((r) => r.c.tier === "main");
// A tier left out with --tier gets no table (an empty one reads like a tier with no cases).
for (const [tier, title] of [
  ["main", "crashes with a main-source frame"],
  ["test-only", "second tier: only test code in-app"],
] as const) {
  if (!args.tier || args.tier === tier)
    report.push(
      table(
        rows.get("all signals")!.filter((r) => r.c.tier === tier),
        title,
      ),
      "",
    );
}
if (variants.length > 1) {
  report.push(
    "### each signal switched off (main-source crashes)",
    "",
    "| variant | file@1 | file@3 | function@1 | function@3 |",
    "|---|---|---|---|---|",
  );
  for (const [name] of variants) {
    const rs = main(name);
    const p = (k: "file1" | "file3" | "fn1" | "fn3") =>
      `${((100 * rs.filter((r) => r.ours[k]).length) / Math.max(1, rs.length)).toFixed(1)}%`;
    report.push(`| ${name} | ${p("file1")} | ${p("file3")} | ${p("fn1")} | ${p("fn3")} |`);
  }
}
process.stdout.write(`${report.join("\n")}\n`);
if (args.json) writeFileSync(args.json, JSON.stringify(dump, null, 1));
rmSync(work, { recursive: true, force: true });
