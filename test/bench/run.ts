import { DEMO, demoScenario } from "../../src/sandbox/demo/index.ts";
import { startSandbox } from "../../src/sandbox/server.ts";
import {
  BIG_TRACE,
  bigScenario,
  LEGACY_TRACE,
  legacyScenario,
  profileScenario,
} from "../fixtures/context.ts";
import { kindsScenario } from "../fixtures/kinds.ts";
import { connect, testContext, textOf } from "../helpers/context.ts";
import { TOOLS_LIST_BUDGET, toolsListTokens } from "../helpers/tokens.ts";
import { benchRootCause } from "./root-cause.ts";
import { benchStartup } from "./startup.ts";

/**
 * `npm run bench`: start-up time and the size of tools/list, then output size (characters, ≈tokens at 4 chars/token), Sentry requests and latency of each
 * tool call on the sample scenarios, against the sandbox Sentry with injected latency.
 */
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 50);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

interface Row {
  tool: string;
  args: string;
  chars: number;
  tokens: number;
  requests: number;
  p50: number;
  p95: number;
}

async function measure(
  scenario: ReturnType<typeof demoScenario>,
  calls: Array<[string, Record<string, unknown>]>,
): Promise<Row[]> {
  const sandbox = await startSandbox({ scenario, latencyMs: LATENCY_MS });
  const context = testContext({ sentryUrl: sandbox.url, org: String(scenario.organization.slug) });
  const session = await connect(context);
  // Warm the region cache so rows measure steady state, as a long-running server sees it.
  await session.client.callTool({ name: calls[0]![0], arguments: calls[0]![1] });
  const rows: Row[] = [];
  for (const [tool, args] of calls) {
    const times: number[] = [];
    let chars = 0;
    let requests = 0;
    for (let i = 0; i < RUNS; i++) {
      sandbox.clearRequests();
      const started = performance.now();
      const result = await session.client.callTool({ name: tool, arguments: args });
      times.push(performance.now() - started);
      if (result.isError) throw new Error(`${tool} ${JSON.stringify(args)} failed: ${textOf(result)}`);
      chars = textOf(result).length;
      requests = sandbox.requests.length;
    }
    times.sort((a, b) => a - b);
    const pct = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!;
    rows.push({
      tool,
      args: JSON.stringify(args),
      chars,
      tokens: Math.round(chars / 4),
      requests,
      p50: pct(0.5),
      p95: pct(0.95),
    });
  }
  await session.close();
  await sandbox.close();
  return rows;
}

/** What every turn of a client that puts tools/list in the model's context pays. */
async function toolsListLine(): Promise<string> {
  const session = await connect(testContext({ sentryUrl: "http://127.0.0.1:9" }));
  const { tools } = await session.client.listTools();
  const { tokens, chars } = await toolsListTokens(session.client);
  await session.close();
  return `tools/list: ${tokens} cl100k tokens (${chars} chars) for ${tools.length} tools; budget ${TOOLS_LIST_BUDGET}\n`;
}

async function main(): Promise<void> {
  // Start-up first, while nothing else in this process competes for the CPU.
  process.stdout.write(`${await benchStartup(Number(process.env.BENCH_SPAWNS ?? 10))}\n`);
  process.stdout.write(`${await toolsListLine()}\n`);
  const demo = await measure(demoScenario(), [
    ["get_issue", { issue: DEMO.ordersIssueShortId }],
    ["get_issue", { issue: DEMO.storefrontIssueShortId }],
    ["get_issue", { issue: DEMO.paymentsIssueShortId }],
    ["get_issue", { issue: DEMO.perfIssueShortId }],
    ["get_issue", { issue: DEMO.ordersIssueShortId, detail: "full" }],
    ["get_trace", { issue: DEMO.ordersIssueShortId }],
    ["get_trace", { trace_id: DEMO.traceA }],
    ["search_logs", { issue: DEMO.ordersIssueShortId }],
    ["search_logs", { trace_id: DEMO.traceA }],
    ["get_profile", { issue: DEMO.perfIssueShortId }],
    ["search_issues", { sort: "freq" }],
  ]);
  const kinds = await measure(kindsScenario(), [
    ["get_issue", { issue: "KINDS-REGR" }],
    ["get_issue", { issue: "KINDS-CSP" }],
    ["get_issue", { issue: "KINDS-SECRETS", detail: "full" }],
  ]);
  const big = await measure(bigScenario(), [
    ["get_trace", { trace_id: BIG_TRACE }],
    ["search_logs", { trace_id: BIG_TRACE }],
  ]);
  const legacy = await measure(legacyScenario(), [
    ["get_trace", { trace_id: LEGACY_TRACE }],
    ["search_logs", { trace_id: LEGACY_TRACE }],
  ]);
  const profiles = await measure(profileScenario(), [
    ["get_profile", { issue: "INVENTORY-3" }],
    ["get_profile", { transaction: "GET /search", project: "inventory" }],
  ]);
  process.stdout.write(
    `autofix-mcp bench — sandbox Sentry latency ${LATENCY_MS} ms per request, ${RUNS} runs per row\n\n`,
  );
  process.stdout.write(
    "| tool | arguments | chars | ≈tokens | Sentry requests | p50 ms | p95 ms |\n|---|---|---|---|---|---|---|\n",
  );
  for (const r of [...demo, ...kinds, ...big, ...legacy, ...profiles]) {
    process.stdout.write(
      `| ${r.tool} | \`${r.args}\` | ${r.chars} | ${r.tokens} | ${r.requests} | ${r.p50.toFixed(0)} | ${r.p95.toFixed(0)} |\n`,
    );
  }
  process.stdout.write(`\n${await benchRootCause(LATENCY_MS, Number(process.env.BENCH_RC_RUNS ?? 3))}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : error}\n`);
  process.exit(1);
});
