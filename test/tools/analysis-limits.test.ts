import { afterAll, describe, expect, it } from "vitest";
import { MAX_ANALYSES, MAX_SESSION_ANALYSES } from "../../src/context.ts";
import { DEMO, demoScenario } from "../../src/sandbox/demo/index.ts";
import { startSandbox } from "../../src/sandbox/server.ts";
import { connect, testContext, textOf } from "../helpers/context.ts";

/**
 * Analyses take turns: at most MAX_SESSION_ANALYSES per session and MAX_ANALYSES per process run at once;
 * the rest wait in line and still answer. Watched on the process's own counters while slow Sentry answers
 * keep the analyses in flight.
 */
describe("analyses at once", () => {
  const opened: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const close of opened.reverse()) await close();
  });

  const issues = [
    DEMO.ordersIssueShortId,
    DEMO.storefrontIssueShortId,
    DEMO.paymentsIssueShortId,
    DEMO.perfIssueShortId,
  ];

  it("are bounded per session and per process, and every queued call still answers", async () => {
    const scenario = demoScenario();
    const sandbox = await startSandbox({ scenario, latencyMs: 80 });
    opened.push(() => sandbox.close());
    const context = testContext({ sentryUrl: sandbox.url, org: String(scenario.organization.slug) });
    opened.push(() => context.close());
    const sessions = await Promise.all(Array.from({ length: 4 }, () => connect(context)));
    opened.push(async () => {
      for (const s of sessions) await s.close();
    });

    let running = 0;
    let waiting = 0;
    const watch = setInterval(() => {
      running = Math.max(running, context.analyses.running);
      waiting = Math.max(waiting, context.analyses.waiting);
    }, 5);
    // One session asks for three analyses at once; three more sessions ask for two each: nine in all.
    const calls = [
      ...[0, 1, 2].map((i) => ({ session: 0, issue: issues[i]! })),
      ...[1, 2, 3].flatMap((s) => [0, 1].map((i) => ({ session: s, issue: issues[(s + i) % 4]! }))),
    ];
    const results = await Promise.all(
      calls.map(({ session, issue }) =>
        sessions[session]!.client.callTool({ name: "analyze_root_cause", arguments: { issue } }),
      ),
    );
    clearInterval(watch);
    for (const r of results) expect(r.isError, textOf(r)).toBeFalsy();
    expect(running).toBe(MAX_ANALYSES);
    // Session 0's third call waits in its session, not in the process's line: at most 9 - 4 - 1 there.
    expect(waiting).toBeGreaterThan(0);
    expect(waiting).toBeLessThanOrEqual(calls.length - MAX_ANALYSES - (3 - MAX_SESSION_ANALYSES));
    expect(context.analyses.running).toBe(0);
  });

  it("leave cheap calls free to run beside them", async () => {
    const scenario = demoScenario();
    const sandbox = await startSandbox({ scenario, latencyMs: 80 });
    opened.push(() => sandbox.close());
    const context = testContext({ sentryUrl: sandbox.url, org: String(scenario.organization.slug) });
    opened.push(() => context.close());
    const busy = await Promise.all([connect(context), connect(context), connect(context)]);
    const other = await connect(context);
    opened.push(async () => {
      for (const s of [...busy, other]) await s.close();
    });
    // Three sessions ask for two analyses each: four run, two wait in the process's line.
    const analyses = busy.flatMap((session, s) =>
      [0, 1].map((i) =>
        session.client.callTool({ name: "analyze_root_cause", arguments: { issue: issues[(s + i) % 4] } }),
      ),
    );
    await expect.poll(() => context.analyses.waiting).toBe(2);
    const cheap = await other.client.callTool({ name: "get_issue", arguments: { issue: issues[0] } });
    expect(cheap.isError, textOf(cheap)).toBeFalsy();
    // get_issue did not queue behind them: it answered while analyses were still waiting for their turn.
    expect(context.analyses.waiting).toBeGreaterThan(0);
    for (const r of await Promise.all(analyses)) expect(r.isError, textOf(r)).toBeFalsy();
  });
});
