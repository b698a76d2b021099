import { type LogLine, logRow } from "../payloads.ts";
import type { Json } from "../scenario.ts";
import { MIN } from "./common.ts";
import { DEMO, hexId, spanId } from "./ids.ts";
import type { ProjectSlug } from "./org.ts";
import { timeline } from "./times.ts";

/**
 * Flat log rows as `/events/?dataset=logs` returns them: every attribute is a column, timestamps use
 * `+00:00`, severity is `warn` (never `warning`). Trace C carries five identical pool warnings so clients
 * can show de-duplication; their `sentry.item_id`s still differ, as real rows' do.
 */

interface Row extends LogLine {
  project: ProjectSlug;
}

export function logs(now: number): Json[] {
  const tl = timeline(now);
  const a = tl.a;
  const b = tl.b;
  const c = tl.c;
  const ordersA = {
    project: "orders-api" as const,
    trace: DEMO.traceA,
    attrs: { "http.route": "/v1/orders" },
  };
  const orderA = { "http.route": "/v1/orders", order_id: "ord_7Hq2Xk9P" };
  const sfA = { project: "storefront" as const, trace: DEMO.traceA };
  const payB = { project: "payments" as const, trace: DEMO.traceB, attrs: { "http.route": "/v1/charges" } };
  const orderB = { "http.route": "/v1/charges", order_id: "ord_3Vb8Nq1T" };
  const ordersC = {
    project: "orders-api" as const,
    trace: DEMO.traceC,
    attrs: { "http.route": "/v1/orders" },
  };
  const poolWarning: Row = {
    ...ordersC,
    ms: c.cause[1] + 2,
    severity: "warn",
    message: "pg pool: all 10 clients busy, query queued",
    span: spanId("c.orders.list"),
  };
  const rows: Row[] = [
    // Trace A: the checkout failure, seen from the browser and from orders-api.
    { ...sfA, ms: a.click, severity: "info", message: "checkout: place order clicked (3 items, 2 coupons)" },
    { ...ordersA, ms: a.ordersStart + 1, severity: "info", message: "POST /v1/orders received" },
    {
      ...ordersA,
      ms: a.coupon1[0],
      severity: "debug",
      message: "coupon cache miss for WELCOME10, SPRING-24; loading rules from db",
    },
    {
      ...ordersA,
      ms: a.rates[1] + 1,
      severity: "info",
      message: "fetched exchange rates from payments (EUR) in 412ms",
    },
    {
      ...ordersA,
      ms: a.pricing[0],
      severity: "info",
      message: "pricing order ord_7Hq2Xk9P",
      span: DEMO.spanOrdersPricing,
      attrs: orderA,
    },
    {
      ...ordersA,
      ms: a.pricing[0] + 2,
      severity: "warn",
      message: "coupon rule not found for SPRING-24, falling back",
      span: DEMO.spanOrdersPricing,
      attrs: orderA,
    },
    {
      ...ordersA,
      ms: a.ordersError + 3,
      severity: "error",
      message:
        "unhandled error in POST /v1/orders: TypeError: Cannot read properties of undefined (reading 'percent')",
      span: spanId("a.orders.root"),
      attrs: orderA,
    },
    { ...ordersA, ms: a.ordersEnd, severity: "info", message: "POST /v1/orders 500 in 512ms" },
    {
      ...sfA,
      ms: a.storefrontError,
      severity: "error",
      message: "order submission failed: Request failed with status code 500",
      span: DEMO.spanStorefrontHttp,
    },
    { ...sfA, ms: a.storefrontError + 4, severity: "info", message: "checkout: showing error toast" },
    // Trace B: payments cannot build the charge.
    { ...payB, ms: b.start + 1, severity: "info", message: "POST /v1/charges received" },
    {
      ...payB,
      ms: b.build[0],
      severity: "debug",
      message: "building charge for order ord_3Vb8Nq1T",
      attrs: orderB,
    },
    {
      ...payB,
      ms: b.error,
      severity: "error",
      message: "charge payload missing 'currency' for order ord_3Vb8Nq1T",
      attrs: orderB,
    },
    {
      ...payB,
      ms: b.error + 1,
      severity: "error",
      message: "could not build charge for order ord_3Vb8Nq1T",
      span: DEMO.spanPaymentsRoot,
      attrs: orderB,
    },
    { ...payB, ms: b.end, severity: "info", message: "POST /v1/charges 500 in 48ms" },
    // Trace C: the N+1 order list, with a burst of identical pool warnings.
    { ...ordersC, ms: c.start + 1, severity: "info", message: "GET /v1/orders customer=cus_4e7a11 limit=12" },
    poolWarning,
    poolWarning,
    poolWarning,
    poolWarning,
    poolWarning,
    { ...ordersC, ms: c.end, severity: "info", message: "GET /v1/orders 200 in 486ms" },
    // Unrelated background noise on other traces.
    {
      project: "storefront",
      trace: hexId("trace:sw-update"),
      ms: now - 41 * MIN - 5_310,
      severity: "info",
      message: `service worker updated to ${DEMO.storefrontRelease}`,
    },
    {
      project: "payments",
      trace: hexId("trace:webhook"),
      ms: now - 8 * MIN - 2_904,
      severity: "info",
      message: "webhook charge.succeeded processed for ch_3QF2nL9x",
      attrs: { "http.route": "/v1/webhooks/gateway" },
    },
    {
      project: "orders-api",
      trace: hexId("trace:healthz"),
      ms: now - 1 * MIN - 17_020,
      severity: "debug",
      message: "health check ok (db 3ms, cache 1ms)",
      attrs: { "http.route": "/healthz" },
    },
  ];
  return rows
    .map((r, i) => ({ row: logRow(r, hexId(`log:${i}`)), ms: r.ms }))
    .sort((x, y) => y.ms - x.ms)
    .map(({ row }) => row);
}
