import type { SandboxIssue } from "../scenario.ts";
import { chainEvents, MIN, tagDistribution } from "./common.ts";
import { DEMO, spanId } from "./ids.ts";
import { activity, issueDetails } from "./issue-base.ts";
import { ORDERS_TITLE, ordersEvent } from "./orders-event.ts";
import { releaseStub } from "./releases.ts";
import { timeline } from "./times.ts";

/** ORDERS-API-7A, the regressed applyCoupon TypeError: issue details, its two events and tag distributions. */

export function ordersIssue(now: number): SandboxIssue {
  const t = timeline(now);
  const ago = (ms: number) => (now - ms) / MIN;
  const events = chainEvents([
    ordersEvent(now, {
      id: DEMO.ordersEventOld,
      traceId: DEMO.traceAOld,
      spanId: spanId("a-old.orders.pricing"),
      parentSpanId: spanId("a-old.orders.root"),
      errorMs: t.ordersErrorOld,
      startMs: t.ordersErrorOld - 495,
      release: DEMO.ordersRelease,
      environment: "production",
      server: "orders-api-7f9c8d6b5-m8q1z",
      requestId: "req_01JD4Q8M2ZK7T9V3XG5N1HC6WB",
      orderId: "ord_5Rt8Wn2Lc",
      customer: "cus_7bd31e",
      ip: "198.51.100.23",
      subtotal: 64.8,
    }),
    ordersEvent(now, {
      id: DEMO.ordersEvent,
      traceId: DEMO.traceA,
      spanId: DEMO.spanOrdersPricing,
      parentSpanId: spanId("a.orders.root"),
      errorMs: t.a.ordersError,
      startMs: t.a.ordersStart,
      release: DEMO.ordersRelease,
      environment: "production",
      server: "orders-api-7f9c8d6b5-x2k4p",
      requestId: "req_01JD9X3F7QW2M8B5KC4R6TZ1NY",
      orderId: "ord_7Hq2Xk9P",
      customer: "cus_19f0a2",
      ip: "203.0.113.42",
      subtotal: 116.55,
    }),
  ]);
  const lastMin = ago(t.a.ordersError);
  const firstMin = ago(t.ordersFirstSeen);
  const stagingFirst = ago(t.ordersFirstSeen + 40 * MIN);
  const hotfixFirst = ago(now - 9 * 60 * MIN);
  const dists = [
    tagDistribution(now, "environment", [
      ["production", 1246, firstMin, lastMin],
      ["staging", 38, stagingFirst, 301],
    ]),
    tagDistribution(now, "release", [
      [DEMO.ordersRelease, 1253, firstMin, lastMin],
      [DEMO.ordersHotfixRelease, 31, hotfixFirst, 301],
    ]),
    tagDistribution(now, "transaction", [["POST /v1/orders", 1284, firstMin, lastMin]]),
    tagDistribution(now, "url", [
      ["https://api.acme.shop/v1/orders", 1246, firstMin, lastMin],
      ["https://api.staging.acme.shop/v1/orders", 38, stagingFirst, 301],
    ]),
    tagDistribution(now, "server_name", [
      ["orders-api-7f9c8d6b5-x2k4p", 433, firstMin, lastMin],
      ["orders-api-7f9c8d6b5-m8q1z", 421, firstMin, 7.2],
      ["orders-api-7f9c8d6b5-t5v7n", 392, firstMin - 3, 11.6],
      ["orders-api-staging-5d8f7c9b4-q9w2e", 38, stagingFirst, 301],
    ]),
    tagDistribution(now, "handled", [["no", 1284, firstMin, lastMin]]),
    tagDistribution(now, "level", [["error", 1284, firstMin, lastMin]]),
    tagDistribution(now, "runtime.name", [["node", 1284, firstMin, lastMin]]),
  ];
  const issue = issueDetails({
    now,
    id: DEMO.ordersIssueId,
    shortId: DEMO.ordersIssueShortId,
    title: ORDERS_TITLE,
    culprit: "POST /v1/orders",
    level: "error",
    substatus: "regressed",
    platform: "node",
    project: "orders-api",
    type: "error",
    issueType: "error",
    issueCategory: "error",
    metadata: {
      type: "TypeError",
      value: "Cannot read properties of undefined (reading 'percent')",
      filename: "src/pricing/discounts.ts",
      function: "applyCoupon",
      in_app_frame_mix: "mixed",
      sdk: { name: "sentry.javascript.node", name_normalized: "sentry.javascript.node" },
      severity: 0.83,
      severity_reason: "ml",
      initial_priority: 75,
      title: ORDERS_TITLE,
    },
    priority: "high",
    isUnhandled: true,
    count: 1284,
    userCount: 312,
    firstSeenMs: t.ordersFirstSeen,
    lastSeenMs: t.a.ordersError,
    firstRelease: releaseStub(now, DEMO.ordersRelease),
    lastRelease: releaseStub(now, DEMO.ordersRelease),
    fixability: 0.71,
    perHour: 9,
    tagDistributions: dists,
    activity: [
      activity("4719205531", "set_regression", t.ordersRegressed, { version: DEMO.ordersRelease }),
      activity(
        "4712339120",
        "set_resolved",
        t.ordersResolved,
        {},
        {
          id: "77",
          name: "Tom Becker",
          email: "tom.becker@acme.shop",
        },
      ),
      activity("0", "first_seen", t.ordersFirstSeen, { priority: "high" }),
    ],
  });
  return { issue, events, recommendedEventId: DEMO.ordersEvent, tags: dists };
}
