import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO, demoScenario } from "../../src/sandbox/demo/index.ts";
import { type SandboxHandle, startSandbox } from "../../src/sandbox/server.ts";
import {
  BIG_EVENT,
  BIG_TRACE,
  bigScenario,
  LEGACY_TRACE,
  legacyScenario,
  profileScenario,
} from "../fixtures/context.ts";
import { NOW } from "../fixtures/kinds.ts";
import { connect, testContext, textOf } from "../helpers/context.ts";

interface Env {
  sandbox: SandboxHandle;
  session: Awaited<ReturnType<typeof connect>>;
}
const envs: Record<string, Env> = {};

beforeAll(async () => {
  const scenarios = {
    demo: demoScenario(NOW),
    big: bigScenario(),
    legacy: legacyScenario(),
    profile: profileScenario(),
  };
  for (const [name, scenario] of Object.entries(scenarios)) {
    const sandbox = await startSandbox({ scenario });
    envs[name] = { sandbox, session: await connect(testContext({ sentryUrl: sandbox.url, now: NOW })) };
  }
});
afterAll(async () => {
  for (const env of Object.values(envs)) {
    await env.session.close();
    await env.sandbox.close();
  }
});

async function call(env: string, name: string, args: Record<string, unknown>) {
  const result = await envs[env]!.session.client.callTool({ name, arguments: args });
  return { result, text: textOf(result), structured: result.structuredContent as any };
}

describe("get_trace", () => {
  it("follows the demo incident into the other service", async () => {
    const { text, structured } = await call("demo", "get_trace", { issue: DEMO.ordersIssueShortId });
    expect(structured.trace_id).toBe(DEMO.traceA);
    expect(structured.services.map((s: any) => s.project).sort()).toEqual([
      "orders-api",
      "payments",
      "storefront",
    ]);
    const mine = structured.error_nodes.find((e: any) => e.this_event);
    expect(mine.short_id).toBe(DEMO.ordersIssueShortId);
    expect(structured.error_nodes.find((e: any) => e.other_project)?.short_id).toBe(
      DEMO.storefrontIssueShortId,
    );
    expect(structured.event_span_path.at(-1).span_id).toBe(structured.error_nodes[0].span_id);
    expect(structured.failing_calls.some((s: any) => s.http_status === 500)).toBe(true);
    expect(text).toContain("**other service**");
    expect(text).toContain('get_issue {"issue":"STOREFRONT-3F"}');
  });

  it("keeps a 5,000-span trace bounded and still shows the error path and failing calls", async () => {
    const { text, structured } = await call("big", "get_trace", { issue: "PRICING-1" });
    expect(text.length).toBeLessThan(16_000);
    expect(structured.span_count).toBe(5000);
    expect(structured.error_nodes[0]).toMatchObject({
      short_id: "PRICING-1",
      this_event: true,
      event_id: BIG_EVENT,
    });
    expect(structured.error_nodes[1]).toMatchObject({ short_id: "PAYMENTS-9", other_project: true });
    expect(structured.event_span_path.at(-1).description).toBe("computeTotals");
    expect(structured.elided.path).toBeGreaterThan(0);
    expect(structured.elided.slowest_spans).toBeGreaterThan(4000);
    expect(structured.failing_calls.map((s: any) => s.description)).toEqual(
      expect.arrayContaining(["POST http://payments/charge", "GET http://inventory/stock"]),
    );
    expect(text).toContain("(timeout)");
    expect(text).toMatch(/\*\*Bounds\*\*: at most 12 path spans.*elided: .*slowest/);
  });

  it("falls back to the legacy /events-trace/ endpoint and reads the oldest trace-meta spelling", async () => {
    const { structured, text } = await call("legacy", "get_trace", { trace_id: LEGACY_TRACE });
    expect(structured.source).toBe("events-trace");
    expect(structured.services.map((s: any) => s.project).sort()).toEqual(["checkout", "payments"]);
    expect(structured.error_nodes[0].title).toContain("TimeoutError");
    expect(structured.meta.errors).toBe(1);
    expect(structured.failing_calls[0].status).toBe("internal_error");
    expect(text).toContain("legacy /events-trace/");
    expect(envs.legacy!.sandbox.requests.some((r) => r.path.includes("/events-trace/"))).toBe(true);
  });

  it("reads the 2025 trace-meta spelling", async () => {
    const { structured } = await call("demo", "get_trace", { issue: DEMO.paymentsIssueShortId });
    expect(structured.meta.errors).toBe(1);
    expect(structured.meta.spans).toBeGreaterThan(0);
  });

  it("shows the performance occurrence of an N+1 issue", async () => {
    const { structured } = await call("demo", "get_trace", { issue: DEMO.perfIssueShortId });
    expect(structured.occurrences[0].short_id).toBe(DEMO.perfIssueShortId);
  });

  it("reads a trace by ID without claiming a missing event span, and finds the span of an event named with it", async () => {
    const bare = await call("demo", "get_trace", { trace_id: DEMO.traceA });
    expect(bare.result.isError).toBeFalsy();
    expect(bare.text).not.toContain("not in this trace");
    expect(bare.text).toContain("No event was named");
    expect(bare.structured.event_span_path).toEqual([]);
    expect(bare.structured.error_nodes.some((e: any) => e.this_event)).toBe(false);

    // The call get_issue suggests names the event, so the path to its span is drawn.
    const issue = await call("demo", "get_issue", { issue: DEMO.ordersIssueShortId });
    const suggested = /`get_trace (\{[^`]*\})`/.exec(issue.text)?.[1];
    expect(JSON.parse(suggested!)).toEqual({ trace_id: DEMO.traceA, event: DEMO.ordersEvent });
    const focused = await call("demo", "get_trace", JSON.parse(suggested!));
    expect(focused.text).toContain("## Path from the root to the event's span");
    expect(focused.structured.error_nodes[0]).toMatchObject({ this_event: true, event_id: DEMO.ordersEvent });
    expect(focused.structured.event_span_path.at(-1).span_id).toBe(focused.structured.error_nodes[0].span_id);
  });

  it("explains a missing trace and bad IDs", async () => {
    const missing = await call("demo", "get_trace", { trace_id: "0".repeat(32) });
    expect(missing.result.isError).toBe(true);
    expect(missing.text).toContain("was not found");
    const bad = await call("demo", "get_trace", { trace_id: "xyz" });
    expect(bad.text).toContain("32 hex");
    const none = await call("demo", "get_trace", {});
    expect(none.text).toContain("trace_id or issue");
  });
});

describe("search_logs", () => {
  it("keeps 2,000 lines inside the budget, with every error line and the totals", async () => {
    const { text, structured } = await call("big", "search_logs", { trace_id: BIG_TRACE });
    expect(text.length).toBeLessThan(16_000);
    expect(structured.totals.by_severity).toEqual({ info: 1989, warn: 8, error: 3 });
    const errors = structured.lines.filter((l: any) => l.severity === "error");
    expect(errors).toHaveLength(3);
    expect(structured.lines.some((l: any) => l.severity === "warn" && l.count === 8)).toBe(true);
    expect(structured.elided_groups).toBeGreaterThan(0);
    expect(text).toContain("errors and warnings are kept first");
    const times = structured.lines.map((l: any) => l.timestamp);
    expect([...times].sort()).toEqual(times);
  });

  it("reads an issue's trace around its event and marks the moment of the error", async () => {
    const { text, structured } = await call("demo", "search_logs", { issue: DEMO.ordersIssueShortId });
    expect(structured.query).toBe(`trace:${DEMO.traceA}`);
    expect(structured.window.start).not.toBeNull();
    expect(text).toContain("coupon rule not found for SPRING-24");
    expect(text).toContain("the error event happened here");
  });

  it("collapses repeated lines and filters by severity (warning means warn)", async () => {
    const { structured } = await call("demo", "search_logs", { trace_id: DEMO.traceC, severity: "warning" });
    expect(structured.query).toContain("severity:[warn]");
    expect(structured.lines.every((l: any) => l.severity === "warn")).toBe(true);
    expect(structured.lines.some((l: any) => l.count >= 5)).toBe(true);
  });

  it("falls back to the ourlogs dataset on older Sentry", async () => {
    const { structured } = await call("legacy", "search_logs", { trace_id: LEGACY_TRACE });
    expect(structured.lines.map((l: any) => l.message)).toContain("processor timed out after 1000ms");
    const datasets = envs
      .legacy!.sandbox.requests.filter((r) => r.path.endsWith("/events/"))
      .map((r) => r.query.get("dataset"));
    expect(datasets).toContain("logs");
    expect(datasets).toContain("ourlogs");
  });

  it("sends one request when one page holds every line", async () => {
    const { sandbox } = envs.demo!;
    sandbox.clearRequests();
    const { structured } = await call("demo", "search_logs", { trace_id: DEMO.traceA });
    expect(structured.lines.length).toBeGreaterThan(0);
    expect(sandbox.requests.filter((r) => r.path.endsWith("/events/"))).toHaveLength(1);
    expect(structured.totals.by_severity).not.toBeNull();
  });

  it("accepts a dashed trace ID, as get_trace does", async () => {
    const dashed = DEMO.traceA.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, "$1-$2-$3-$4-$5").toUpperCase();
    const { result, structured } = await call("demo", "search_logs", { trace_id: dashed });
    expect(result.isError).toBeFalsy();
    expect(structured.query).toBe(`trace:${DEMO.traceA}`);
  });

  it("reads the event an event URL names, not the recommended one", async () => {
    const { sandbox } = envs.demo!;
    sandbox.clearRequests();
    const url = `${sandbox.url}/organizations/acme/issues/${DEMO.ordersIssueId}/events/${DEMO.ordersEventOld}/`;
    const { result, structured } = await call("demo", "search_logs", { issue: url });
    expect(result.isError).toBeFalsy();
    expect(structured.query).toBe(`trace:${DEMO.traceAOld}`);
    const events = sandbox.requests.filter((r) => /\/issues\/[^/]+\/events\/[^/]+\/$/.test(r.path));
    expect(events.map((r) => r.path.split("/").at(-2))).toEqual([DEMO.ordersEventOld]);
    const byParam = await call("demo", "search_logs", { issue: DEMO.ordersIssueShortId, event: "oldest" });
    expect(byParam.structured.query).toBe(`trace:${DEMO.traceAOld}`);
  });

  it("rejects unknown severities", async () => {
    const { result, text } = await call("demo", "search_logs", { trace_id: DEMO.traceA, severity: "loud" });
    expect(result.isError).toBe(true);
    expect(text).toContain("trace, debug, info, warn, error, fatal");
  });
});

describe("get_profile", () => {
  it("reads a transaction profile (v1) linked to a performance issue", async () => {
    const { structured, text } = await call("demo", "get_profile", { issue: DEMO.perfIssueShortId });
    expect(structured.kind).toBe("transaction");
    expect(structured.hottest_in_app.function).toBe("loadItems");
    expect(structured.hot_paths[0].frames[0].in_app).toBe(false);
    expect(text).toContain("**[app]**");
    expect(text).toMatch(/loadItems.*src\/services\/order-service\.ts:\d+/);
  });

  it("reads a continuous profile chunk (v2) through the event's profiler_id", async () => {
    const { structured } = await call("profile", "get_profile", { issue: "INVENTORY-3" });
    expect(structured.kind).toBe("continuous");
    expect(structured.hot_paths[0].frames.map((f: any) => f.function)).toEqual([
      "main",
      "handleSearch",
      "scoreResults",
    ]);
    expect(structured.top_self[0].function).toBe("scoreResults");
    expect(structured.hottest_in_app.function).toBe("scoreResults");
  });

  it("reads a transaction's aggregated flamegraph", async () => {
    const { structured } = await call("profile", "get_profile", {
      transaction: "GET /search",
      project: "inventory",
    });
    expect(structured.kind).toBe("flamegraph");
    expect(structured.top_self[0]).toMatchObject({ function: "scoreResults", self_pct: 75 });
    const req = envs.profile!.sandbox.requests.find((r) => r.path.endsWith("/flamegraph/"));
    expect(req?.query.getAll("project")).toEqual(["4002"]);
  });

  it("reads the event an event URL names, not the recommended one", async () => {
    const { sandbox } = envs.demo!;
    sandbox.clearRequests();
    const url = `${sandbox.url}/organizations/acme/issues/${DEMO.ordersIssueId}/events/${DEMO.ordersEventOld}/`;
    await call("demo", "get_profile", { issue: url });
    const events = sandbox.requests.filter((r) => /\/issues\/[^/]+\/events\/[^/]+\/$/.test(r.path));
    expect(events.map((r) => r.path.split("/").at(-2))).toEqual([DEMO.ordersEventOld]);
  });

  it("says when there is nothing to read", async () => {
    const { result, text } = await call("profile", "get_profile", { transaction: "GET /nothing" });
    expect(result.isError).toBe(true);
    expect(text).toContain("no profiles were found");
    const noProject = await call("demo", "get_profile", { profile_id: DEMO.profileC });
    expect(noProject.text).toContain("needs project");
  });
});

describe("search_issues", () => {
  it("sorts, shows fixability, and pages with a cursor", async () => {
    const first = await call("demo", "search_issues", { sort: "freq", limit: 2 });
    expect(first.structured.issues.map((i: any) => i.short_id)).toEqual([
      DEMO.ordersIssueShortId,
      DEMO.storefrontIssueShortId,
    ]);
    expect(first.structured.total).toBe(4);
    expect(first.text).toContain("fixability");
    const second = await call("demo", "search_issues", {
      sort: "freq",
      limit: 2,
      cursor: first.structured.next_cursor,
    });
    expect(second.structured.issues.map((i: any) => i.short_id)).toEqual([
      DEMO.perfIssueShortId,
      DEMO.paymentsIssueShortId,
    ]);
  });

  it("filters by project slug and text", async () => {
    const { structured } = await call("demo", "search_issues", { project: "payments" });
    expect(structured.issues.map((i: any) => i.project)).toEqual(["payments"]);
    const text = await call("demo", "search_issues", { query: "is:unresolved AxiosError" });
    expect(text.structured.issues.map((i: any) => i.short_id)).toEqual([DEMO.storefrontIssueShortId]);
    const unknown = await call("demo", "search_issues", { project: "nope" });
    expect(unknown.text).toContain("Known projects");
  });
});

describe("get_issue enrichment", () => {
  it("adds the release, suspect commits and the trace summary", async () => {
    const { structured, text } = await call("demo", "get_issue", { issue: DEMO.ordersIssueShortId });
    expect(structured.release).toMatchObject({
      version: "orders-api@2.14.0",
      commit_count: 3,
      is_first_release: true,
    });
    expect(structured.suspect_commits[0].subject).toContain("stacked coupons");
    expect(structured.trace_summary.errors).toBe(2);
    expect(text).toContain("the issue started with");
  });

  it("treats a 404 from committers as no suspect commits", async () => {
    const { structured, text } = await call("demo", "get_issue", { issue: DEMO.paymentsIssueShortId });
    expect(structured.suspect_commits).toEqual([]);
    expect(structured.unavailable).toEqual([]);
    expect(text).toContain("Sentry has none for this event");
  });

  it("degrades one failing enrichment instead of failing the tool, fetching the second wave in parallel", async () => {
    const { sandbox } = envs.demo!;
    sandbox.fail({ match: "/committers/", status: 500 });
    sandbox.clearRequests();
    sandbox.setLatency(40);
    const { result, structured, text } = await call("demo", "get_issue", { issue: DEMO.ordersIssueShortId });
    sandbox.setLatency(0);
    sandbox.faults.clear();
    expect(result.isError).toBeFalsy();
    expect(structured.suspect_commits).toBeNull();
    expect(structured.unavailable[0]).toContain("suspect commits");
    expect(text).toContain("**Not available**");
    const waveTwo = sandbox.requests.filter((r) => /releases|committers|trace-meta/.test(r.path));
    expect(Math.max(...waveTwo.map((r) => r.concurrent))).toBeGreaterThanOrEqual(1);
  });
});
