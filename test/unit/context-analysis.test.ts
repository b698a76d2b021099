import { describe, expect, it } from "vitest";
import { collapseLogs, trimLogs } from "../../src/analysis/logs.ts";
import { summarizeProfile } from "../../src/analysis/profile.ts";
import { analyzeTrace, isFailingCall } from "../../src/analysis/trace-walk.ts";
import { normalizeLogRow } from "../../src/sentry/logs.ts";
import { normalizeFlamegraph, normalizeSampleProfile } from "../../src/sentry/profiles.ts";
import { normalizeLegacyTrace, normalizeTrace, normalizeTraceMeta } from "../../src/sentry/traces.ts";

describe("trace-meta spellings", () => {
  it("reads the current, 2025 and legacy spellings", () => {
    expect(
      normalizeTraceMeta({ errorsCount: 2, performanceIssuesCount: 1, spansCount: 14, logsCount: 3 }),
    ).toMatchObject({ errors: 2, performanceIssues: 1, spans: 14, logs: 3 });
    expect(
      normalizeTraceMeta({ errors: 1.0, performance_issues: 0, span_count: 112.0, logs: 7 }),
    ).toMatchObject({ errors: 1, performanceIssues: 0, spans: 112, logs: 7 });
    expect(
      normalizeTraceMeta({ projects: 2, transactions: 3, errors: 1, performance_issues: 0 }),
    ).toMatchObject({ projects: 2, transactions: 3, errors: 1 });
  });
});

describe("trace normalization", () => {
  it("separates span nodes from standalone issues, including the variant without event_type", () => {
    const trace = normalizeTrace("t", [
      {
        event_id: "a",
        span_id: "s1",
        op: "http.server",
        project_slug: "api",
        children: [],
        errors: [],
        occurrences: [],
      },
      { id: "e", issue_id: 5, project_slug: "web", title: "Boom", type: "error", timestamp: 1 },
      { event_id: "e2", event_type: "error", issue_id: 6, short_id: "WEB-2", project_slug: "web" },
    ]);
    expect(trace.roots).toHaveLength(1);
    expect(trace.orphanErrors.map((e) => e.shortId ?? e.title)).toEqual(["Boom", "WEB-2"]);
  });

  it("reads the legacy transaction tree and a bare list", () => {
    const tx = {
      event_id: "x",
      span_id: "s",
      transaction: "GET /",
      "transaction.duration": 12,
      "transaction.op": "http.server",
      project_slug: "api",
      children: [],
      errors: [{ event_id: "e", issue_id: 1, span: "s", project_slug: "api", title: "E" }],
    };
    expect(normalizeLegacyTrace("t", { transactions: [tx], orphan_errors: [] }).roots[0]).toMatchObject({
      op: "http.server",
      durationMs: 12,
      isTransaction: true,
    });
    expect(normalizeLegacyTrace("t", [tx]).roots[0]!.errors[0]!.spanId).toBe("s");
  });

  it("cuts off absurdly deep nesting instead of overflowing the stack", () => {
    let node: Record<string, unknown> = { span_id: "leaf", children: [] };
    for (let i = 0; i < 5000; i++) node = { span_id: `s${i}`, children: [node] };
    const analysis = analyzeTrace(normalizeTrace("t", [node]));
    expect(analysis.spanCount).toBeLessThanOrEqual(258);
  });
});

describe("trace analysis", () => {
  const span = (id: string, extra: Record<string, unknown> = {}) => ({
    span_id: id,
    op: "function",
    project_slug: "api",
    start_timestamp: 1,
    end_timestamp: 2,
    children: [],
    errors: [],
    occurrences: [],
    ...extra,
  });
  it("finds the event's span by span id, or by the error it carries", () => {
    const tree = [
      span("root", {
        children: [
          span("mid", {
            children: [
              span("leaf", { errors: [{ event_id: "ev", event_type: "error", project_slug: "api" }] }),
            ],
          }),
        ],
      }),
    ];
    const bySpan = analyzeTrace(normalizeTrace("t", tree), { spanId: "mid" });
    expect(bySpan.eventPath.map((s) => s.spanId)).toEqual(["root", "mid"]);
    const byError = analyzeTrace(normalizeTrace("t", tree), { eventId: "ev" });
    expect(byError.eventPath.map((s) => s.spanId)).toEqual(["root", "mid", "leaf"]);
    expect(byError.errors[0]!.thisEvent).toBe(true);
  });

  it("recognises failing calls by HTTP status and by span status", () => {
    const [a, b, c, d] = normalizeTrace("t", [
      span("a", { op: "http.client", additional_attributes: { "http.response.status_code": 503 } }),
      span("b", { op: "http.client", additional_attributes: { "http.response.status_code": 404 } }),
      span("c", { op: "grpc.client", status: "unavailable" }),
      span("d", { op: "function", status: "internal_error" }),
    ]).roots;
    expect([a, b, c, d].map((s) => isFailingCall(s!))).toEqual([true, false, true, false]);
  });
});

describe("logs", () => {
  const row = (i: number, severity: string, message: string) =>
    normalizeLogRow({
      "sentry.item_id": `r${i}`,
      timestamp: `2026-11-28T12:00:${String(i).padStart(2, "0")}+00:00`,
      severity,
      message,
      project: "api",
    });
  it("normalizes severities and collapses identical lines in time order", () => {
    const rows = [
      row(3, "info", "tick"),
      row(2, "warning", "slow"),
      row(1, "info", "tick"),
      row(1, "info", "tick"),
    ];
    const groups = collapseLogs(rows);
    expect(groups.map((g) => [g.severity, g.message, g.count])).toEqual([
      ["info", "tick", 2],
      ["warn", "slow", 1],
    ]);
    expect(groups[0]!.last).toBe("2026-11-28T12:00:03.000Z");
  });
  it("keeps errors and warnings first when trimming, and returns the rest by time", () => {
    const groups = collapseLogs([
      row(1, "info", "a"),
      row(2, "error", "b"),
      row(3, "info", "c"),
      row(4, "warn", "d"),
      row(5, "info", "e"),
    ]);
    const { kept, elided } = trimLogs(groups, 3);
    expect(kept.map((g) => g.message)).toEqual(["b", "d", "e"]);
    expect(elided.map((g) => g.message)).toEqual(["a", "c"]);
  });
});

describe("profiles", () => {
  it("reverses leaf-first sample stacks and weights samples by the time to the next one", () => {
    const profile = normalizeSampleProfile(
      {
        transaction: { name: "GET /x", active_thread_id: 0 },
        profile: {
          frames: [
            { function: "main", in_app: false },
            { function: "work", in_app: true, filename: "a.ts", lineno: 3 },
          ],
          stacks: [[1, 0], [0]],
          samples: [
            { stack_id: 0, thread_id: 0, elapsed_since_start_ns: "0" },
            { stack_id: 0, thread_id: 0, elapsed_since_start_ns: "10000000" },
            { stack_id: 1, thread_id: 0, elapsed_since_start_ns: "20000000" },
            { stack_id: 1, thread_id: 7, elapsed_since_start_ns: "30000000" },
          ],
        },
      },
      "transaction",
    );
    expect(profile.samples).toHaveLength(3);
    expect(profile.samples[0]!.stack).toEqual([0, 1]);
    const summary = summarizeProfile(profile);
    expect(summary.hottestInApp?.frame.name).toBe("work");
    expect(summary.bySelf[0]!.selfShare).toBeCloseTo(2 / 3);
  });
  it("reads flamegraph samples root first with their weights", () => {
    const g = normalizeFlamegraph({
      profiles: [{ unit: "nanoseconds", samples: [[0, 1], [0]], weights: [30, 10] }],
      shared: { frames: [{ name: "a" }, { name: "b", is_application: true }] },
    });
    const summary = summarizeProfile(g);
    expect(summary.byTotal[0]).toMatchObject({ totalShare: 1 });
    expect(summary.bySelf[0]!.frame.name).toBe("b");
  });
  it("tolerates frames without function names and junk stacks", () => {
    const p = normalizeSampleProfile(
      {
        profile: {
          frames: [{}],
          stacks: [[0, 99, "x"]],
          samples: [{ stack_id: 0, thread_id: "1", timestamp: 1 }],
        },
      },
      "continuous",
    );
    expect(p.samples[0]!.stack).toEqual([0]);
    expect(p.frames[0]!.name).toBe("<unknown>");
  });
});
