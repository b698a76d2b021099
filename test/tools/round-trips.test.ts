import { afterAll, describe, expect, it } from "vitest";
import { startSandbox } from "../../src/sandbox/server.ts";
import { LEGACY_TRACE, legacyScenario } from "../fixtures/context.ts";
import { connect, testContext, textOf } from "../helpers/context.ts";
import { describeRoundTrips, sequentialRoundTrips } from "../helpers/round-trips.ts";
import { scenarioNamed } from "../helpers/session.ts";
import { type PreparedScenario, prepareScenario } from "../scenarios/setup.ts";

/**
 * How many sequential Sentry round trips one analyze_root_cause waits for, counted from the sandbox's request
 * log: a request that started after another was answered may depend on it, so the longest such chain is the
 * depth. Latency is large against the in-process work so that a busy machine cannot merge or split waves.
 */
const LATENCY_MS = 150;

const scenario = (name: string) => scenarioNamed(name);

async function analyzeDepth(name: string): Promise<{ depth: number; log: string; requests: number }> {
  const prepared: PreparedScenario = await prepareScenario(scenario(name));
  const session = await connect(prepared.context);
  try {
    // The first call warms what a long-running server keeps per organisation (region, code mappings).
    const warm = await session.client.callTool({
      name: "analyze_root_cause",
      arguments: { issue: scenario(name).issue },
    });
    expect(warm.isError, textOf(warm)).toBeFalsy();
    prepared.sandbox.setLatency(LATENCY_MS);
    prepared.sandbox.clearRequests();
    const result = await session.client.callTool({
      name: "analyze_root_cause",
      arguments: { issue: scenario(name).issue },
    });
    expect(result.isError, textOf(result)).toBeFalsy();
    const requests = prepared.sandbox.requests;
    return {
      depth: sequentialRoundTrips(requests),
      log: describeRoundTrips(requests),
      requests: requests.length,
    };
  } finally {
    await session.close();
    await prepared.close();
  }
}

describe("analyze_root_cause round trips to Sentry", () => {
  it("needs two when the issue stays in one service and its trace was not kept", async () => {
    // s03: the trace is unsampled, so trace-meta's answer spares the legacy trace endpoint a third trip.
    const { depth, log } = await analyzeDepth("s03-python-keyerror");
    expect(depth, log).toBe(2);
    expect(log).not.toContain("/events-trace/");
  });

  it("needs two when frames are located through Sentry's stacktrace-link", async () => {
    // s13: the event's wave (release, commits, trace, logs) and the stacktrace-link lookups go out together.
    const { depth, log } = await analyzeDepth("s13-repo-not-connected");
    expect(log).toContain("/stacktrace-link/");
    expect(depth, log).toBe(2);
  });

  it("needs three when the trace leads to another service's error", async () => {
    // s01: storefront's error, then the trace, then the orders-api event the trace points at.
    const { depth, log } = await analyzeDepth("s01-frontend-backend-500");
    expect(log).toContain("/projects/acme/orders-api/events/");
    expect(depth, log).toBe(3);
  });
});

describe("what the server learns about an organisation's Sentry", () => {
  const opened: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const close of opened.reverse()) await close();
  });

  it("asks an older Sentry without /trace/ only the legacy endpoint after the first 404", async () => {
    const scenario = legacyScenario();
    const sandbox = await startSandbox({ scenario });
    opened.push(() => sandbox.close());
    const session = await connect(
      testContext({ sentryUrl: sandbox.url, org: String(scenario.organization.slug) }),
    );
    opened.push(() => session.close());
    const traceCalls = () => sandbox.requests.map((r) => r.path).filter((p) => /\/(events-)?trace\//.test(p));

    const first = await session.client.callTool({ name: "get_trace", arguments: { trace_id: LEGACY_TRACE } });
    expect(first.isError, textOf(first)).toBeFalsy();
    expect(traceCalls()).toEqual([
      `/api/0/organizations/acme/trace/${LEGACY_TRACE}/`,
      `/api/0/organizations/acme/events-trace/${LEGACY_TRACE}/`,
    ]);
    sandbox.clearRequests();
    const second = await session.client.callTool({
      name: "get_trace",
      arguments: { trace_id: LEGACY_TRACE },
    });
    expect(textOf(second)).toBe(textOf(first));
    expect(traceCalls()).toEqual([`/api/0/organizations/acme/events-trace/${LEGACY_TRACE}/`]);
  });
});
