import type { Json, SandboxIssue } from "../scenario.ts";
import {
  baseEvent,
  DAY,
  eventTags,
  filteredRemark,
  HOUR,
  isoAt,
  MIN,
  requestEntry,
  secs,
  tagDistribution,
} from "./common.ts";
import { DEMO, hexId, PROJECT_IDS } from "./ids.ts";
import { activity, issueDetails } from "./issue-base.ts";
import { eventRelease, releaseStub } from "./releases.ts";
import { CAUSE_SPAN_ID, ITEMS_SQL, LIST_SPAN_ID, repeatSpanId, type SpanSpec, traceCSpans } from "./spans.ts";
import { timeline } from "./times.ts";

/**
 * ORDERS-API-7D: an N+1 performance issue. Its event is the `GET /v1/orders` transaction: no exception
 * entry, a `spans` entry with 12 repeated `order_items` queries, and an `occurrence` whose evidence names
 * the offending spans. The transaction was profiled (contexts.profile → PROFILE_C).
 */

const FINGERPRINT = `1-1006-${hexId("fingerprint:ORDERS-API-7D", 40)}`;
const REPEATS = 12;

function eventSpan(s: SpanSpec, all: SpanSpec[]): Json {
  const childTime = all.filter((c) => c.parent === s.id).reduce((sum, c) => sum + (c.end - c.start), 0);
  return {
    timestamp: secs(s.end),
    start_timestamp: secs(s.start),
    exclusive_time: Math.max(0, s.end - s.start - childTime),
    op: s.op,
    description: s.description,
    span_id: s.id,
    parent_span_id: s.parent,
    trace_id: DEMO.traceC,
    status: s.status,
    tags: null,
    data: s.data ?? {},
    hash: hexId(`hash:${s.description}`, 16),
    same_process_as_parent: true,
    origin: s.op === "db" ? "auto.db.otel.postgres" : "manual",
  };
}

function occurrence(now: number): Json {
  const t = timeline(now).c;
  const offenders = Array.from({ length: REPEATS }, (_, i) => repeatSpanId(i));
  const repeating = `db - ${ITEMS_SQL}`;
  return {
    id: DEMO.perfOccurrence,
    projectId: PROJECT_IDS.ordersApi,
    eventId: DEMO.perfEvent,
    fingerprint: [FINGERPRINT],
    issueTitle: "N+1 Query",
    subtitle: ITEMS_SQL,
    resourceId: null,
    evidenceData: {
      op: "db",
      parentSpanIds: [LIST_SPAN_ID],
      causeSpanIds: [CAUSE_SPAN_ID],
      offenderSpanIds: offenders,
      transactionName: "GET /v1/orders",
      parentSpan: "function - listOrders",
      repeatingSpans: repeating,
      repeatingSpansCompact: ITEMS_SQL,
      numRepeatingSpans: String(REPEATS),
    },
    evidenceDisplay: [
      { name: "Offending Spans", value: repeating, important: true },
      { name: "Transaction Name", value: "GET /v1/orders", important: false },
      { name: "Parent Span", value: "function - listOrders", important: false },
      { name: `Repeating Spans (${REPEATS})`, value: ITEMS_SQL, important: true },
    ],
    type: 1006,
    detectionTime: isoAt(t.end + 1_840),
    level: "info",
    culprit: "GET /v1/orders",
    priority: 50,
    assignee: null,
  };
}

function perfEvent(now: number): Json {
  const t = timeline(now).c;
  const spans = traceCSpans(now);
  const root = spans.find((s) => s.id === DEMO.spanPerfRoot)!;
  const url = "https://api.acme.shop/v1/orders";
  const headers: Array<[string, string]> = [
    ["Accept", "application/json"],
    ["Authorization", "[Filtered]"],
    ["Host", "api.acme.shop"],
    ["User-Agent", "AcmeShop/4.8.1 (iPhone; iOS 18.1; Scale/3.00)"],
    ["X-Request-Id", "req_01JDA0T5B8KX2M6Q9W3N7RC4ZE"],
  ];
  const entries = [
    { type: "spans", data: spans.filter((s) => s !== root).map((s) => eventSpan(s, spans)) },
    requestEntry({
      method: "GET",
      url,
      query: [
        ["customer", "cus_4e7a11"],
        ["limit", "12"],
      ],
      headers,
    }),
  ];
  const childTime = spans.filter((s) => s.parent === root.id).reduce((sum, s) => sum + (s.end - s.start), 0);
  return {
    ...baseEvent({
      id: DEMO.perfEvent,
      groupID: DEMO.perfIssueId,
      projectID: String(PROJECT_IDS.ordersApi),
      type: "transaction",
      platform: "node",
      title: "GET /v1/orders",
      culprit: "GET /v1/orders",
      location: "GET /v1/orders",
      dateMs: t.end,
    }),
    size: 14_902,
    entries,
    user: {
      id: "cus_4e7a11",
      email: null,
      username: null,
      ip_address: "198.51.100.77",
      name: null,
      geo: null,
      data: null,
    },
    contexts: {
      trace: {
        trace_id: DEMO.traceC,
        span_id: root.id,
        op: "http.server",
        status: "ok",
        origin: "auto.http.otel.http",
        exclusive_time: root.end - root.start - childTime,
        client_sample_rate: 0.2,
        sampled: true,
        data: { "http.route": "/v1/orders", "http.response.status_code": 200, "sentry.op": "http.server" },
        hash: hexId("hash:GET /v1/orders", 16),
        type: "trace",
      },
      profile: { profile_id: DEMO.profileC, type: "profile" },
      runtime: { name: "node", version: "v20.18.1", type: "runtime" },
      os: { name: "Linux", version: "6.1.112", type: "os" },
    },
    sdk: { name: "sentry.javascript.node", version: "9.30.0" },
    metadata: { location: "GET /v1/orders", title: "GET /v1/orders" },
    tags: eventTags({
      environment: "production",
      "http.status_code": "200",
      level: "info",
      release: DEMO.ordersRelease,
      "runtime.name": "node",
      server_name: "orders-api-7f9c8d6b5-t5v7n",
      transaction: "GET /v1/orders",
      url,
      user: "id:cus_4e7a11",
    }),
    _meta: {
      entries: { "1": { data: { headers: { "1": { "1": filteredRemark(71) } } } } },
      message: null,
      user: null,
      contexts: null,
      sdk: null,
      context: null,
      packages: null,
      tags: {},
    },
    occurrence: occurrence(now),
    fingerprints: [FINGERPRINT],
    release: eventRelease(now, DEMO.ordersRelease),
    startTimestamp: secs(t.start),
    endTimestamp: secs(t.end),
    measurements: null,
    breakdowns: null,
    projectSlug: "orders-api",
  };
}

export function perfIssue(now: number): SandboxIssue {
  const tl = timeline(now);
  const firstMs = now - 9 * DAY + 4 * HOUR + 26 * MIN;
  const first = (now - firstMs) / MIN;
  const last = (now - tl.c.end) / MIN;
  const onNewRelease = (now - tl.ordersDeploy) / MIN - 12;
  const dists = [
    tagDistribution(now, "environment", [["production", 642, first, last]]),
    tagDistribution(now, "release", [
      [DEMO.ordersRelease, 402, onNewRelease, last],
      ["orders-api@2.13.2", 240, first, onNewRelease + 20],
    ]),
    tagDistribution(now, "transaction", [["GET /v1/orders", 642, first, last]]),
    tagDistribution(now, "url", [["https://api.acme.shop/v1/orders", 642, first, last]]),
    tagDistribution(now, "server_name", [
      ["orders-api-7f9c8d6b5-t5v7n", 231, first, last],
      ["orders-api-7f9c8d6b5-x2k4p", 219, first, 31.5],
      ["orders-api-7f9c8d6b5-m8q1z", 192, first, 47.2],
    ]),
    tagDistribution(now, "runtime.name", [["node", 642, first, last]]),
  ];
  const issue = issueDetails({
    now,
    id: DEMO.perfIssueId,
    shortId: DEMO.perfIssueShortId,
    title: "N+1 Query",
    culprit: "GET /v1/orders",
    level: "warning",
    substatus: "ongoing",
    platform: "node",
    project: "orders-api",
    type: "performance_n_plus_one_db_queries",
    issueType: "performance_n_plus_one_db_queries",
    issueCategory: "performance",
    metadata: { title: "N+1 Query", value: ITEMS_SQL, initial_priority: 50 },
    priority: "medium",
    isUnhandled: false,
    count: 642,
    userCount: 88,
    firstSeenMs: firstMs,
    lastSeenMs: tl.c.end,
    firstRelease: null,
    lastRelease: releaseStub(now, DEMO.ordersRelease),
    fixability: 0.58,
    perHour: 3,
    tagDistributions: dists,
    activity: [
      activity("4705550918", "auto_set_ongoing", firstMs + 7 * DAY, { after_days: 7 }),
      activity("0", "first_seen", firstMs, { priority: "medium" }),
    ],
  });
  return { issue, events: [perfEvent(now)], recommendedEventId: DEMO.perfEvent, tags: dists };
}
