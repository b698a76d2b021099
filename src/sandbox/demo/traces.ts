import { spanNode } from "../payloads.ts";
import type { Json, SandboxTrace } from "../scenario.ts";
import { secs } from "./common.ts";
import { DEMO } from "./ids.ts";
import { PAYMENTS_TITLE } from "./issues-payments.ts";
import { STOREFRONT_TITLE } from "./issues-storefront.ts";
import { logs } from "./logs.ts";
import { ORDERS_TITLE } from "./orders-event.ts";
import { projectId } from "./org.ts";
import { type SpanSpec, sdkName, traceASpans, traceBSpans, traceCSpans } from "./spans.ts";
import { timeline } from "./times.ts";

/**
 * `/trace/{id}/` payloads (current format: nested span nodes with issue refs) and trace-meta for the three
 * demo traces. Trace A and C use the current trace-meta spelling, trace B the 2025 snake_case one.
 */

/** Error issue refs carry `issue_type` 1; the N+1 occurrence carries its occurrence type, 1006. */
function issueRefs(now: number): Record<string, Json> {
  const t = timeline(now);
  return {
    [DEMO.ordersIssueShortId]: {
      event_id: DEMO.ordersEvent,
      event_type: "error",
      issue_id: Number(DEMO.ordersIssueId),
      short_id: DEMO.ordersIssueShortId,
      level: "error",
      culprit: "POST /v1/orders",
      description: ORDERS_TITLE,
      project_id: projectId("orders-api"),
      project_slug: "orders-api",
      transaction: "POST /v1/orders",
      start_timestamp: secs(t.a.ordersError),
      issue_type: 1,
    },
    [DEMO.storefrontIssueShortId]: {
      event_id: DEMO.storefrontEvent,
      event_type: "error",
      issue_id: Number(DEMO.storefrontIssueId),
      short_id: DEMO.storefrontIssueShortId,
      level: "error",
      culprit: "/checkout",
      description: STOREFRONT_TITLE,
      project_id: projectId("storefront"),
      project_slug: "storefront",
      transaction: "/checkout",
      start_timestamp: secs(t.a.storefrontError),
      issue_type: 1,
    },
    [DEMO.paymentsIssueShortId]: {
      event_id: DEMO.paymentsEvent,
      event_type: "error",
      issue_id: Number(DEMO.paymentsIssueId),
      short_id: DEMO.paymentsIssueShortId,
      level: "error",
      culprit: "POST /v1/charges",
      description: PAYMENTS_TITLE,
      project_id: projectId("payments"),
      project_slug: "payments",
      transaction: "POST /v1/charges",
      start_timestamp: secs(t.b.error),
      issue_type: 1,
    },
    [DEMO.perfIssueShortId]: {
      event_id: DEMO.perfEvent,
      event_type: "occurrence",
      issue_id: Number(DEMO.perfIssueId),
      short_id: DEMO.perfIssueShortId,
      level: "info",
      culprit: "GET /v1/orders",
      description: "N+1 Query",
      project_id: projectId("orders-api"),
      project_slug: "orders-api",
      transaction: "GET /v1/orders",
      start_timestamp: secs(t.c.start),
      end_timestamp: secs(t.c.end),
      issue_type: 1006,
    },
  };
}

/** Nest spans under their parents (children in start order); spans whose parent is absent become roots. */
function spanTree(spans: SpanSpec[], refs: Record<string, Json>): Json[] {
  const ids = new Set(spans.map((s) => s.id));
  const node = (s: SpanSpec): Json =>
    spanNode({
      ...s,
      project: { id: projectId(s.project), slug: s.project },
      sdk: sdkName(s.project),
      status: undefined,
      attributes: s.data ?? {},
      children: spans
        .filter((c) => c.parent === s.id)
        .sort((x, y) => x.start - y.start)
        .map(node),
      errors: (s.errors ?? []).map((short) => refs[short]!),
      occurrences: (s.occurrences ?? []).map((short) => refs[short]!),
    });
  return spans
    .filter((s) => s.parent === null || !ids.has(s.parent))
    .sort((x, y) => x.start - y.start)
    .map(node);
}

function counts(spans: SpanSpec[]) {
  const byTx = new Map<string, number>();
  const byOp: Record<string, number> = {};
  for (const s of spans) {
    byTx.set(s.txId, (byTx.get(s.txId) ?? 0) + 1);
    byOp[s.op] = (byOp[s.op] ?? 0) + 1;
  }
  const childMap = [...byTx.entries()].map(([id, n]) => ({ "transaction.event_id": id, "count()": n }));
  return { childMap, byOp };
}

function currentMeta(spans: SpanSpec[], errors: number, perf: number, logCount: number): Json {
  const { childMap, byOp } = counts(spans);
  return {
    errorsCount: errors,
    logsCount: logCount,
    metricsCount: 0,
    performanceIssuesCount: perf,
    spansCount: spans.length,
    transactionChildCountMap: childMap,
    spansCountMap: byOp,
  };
}

/** The 2025 spelling. Sentry sends these counts as floats (`7.0`); JSON from JS cannot tell 7.0 from 7. */
function legacyMeta(spans: SpanSpec[], errors: number, perf: number, logCount: number): Json {
  const { childMap, byOp } = counts(spans);
  return {
    logs: logCount,
    errors,
    performance_issues: perf,
    span_count: spans.length,
    transaction_child_count_map: childMap,
    span_count_map: byOp,
  };
}

export function traces(now: number): Record<string, SandboxTrace> {
  const refs = issueRefs(now);
  const rows = logs(now);
  const logCount = (trace: string) => rows.filter((r) => r.trace === trace).length;
  const a = traceASpans(now);
  const b = traceBSpans(now);
  const c = traceCSpans(now);
  return {
    [DEMO.traceA]: { meta: currentMeta(a, 2, 0, logCount(DEMO.traceA)), nodes: spanTree(a, refs) },
    [DEMO.traceB]: { meta: legacyMeta(b, 1, 0, logCount(DEMO.traceB)), nodes: spanTree(b, refs) },
    [DEMO.traceC]: { meta: currentMeta(c, 0, 1, logCount(DEMO.traceC)), nodes: spanTree(c, refs) },
  };
}
