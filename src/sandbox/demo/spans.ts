import type { Json } from "../scenario.ts";
import { DEMO, hexId, spanId } from "./ids.ts";
import type { ProjectSlug } from "./org.ts";
import { timeline } from "./times.ts";

/**
 * The spans of the three demo traces, in one neutral shape. `traces.ts` turns them into `/trace/{id}/`
 * nodes; the ORDERS-API-7D transaction event uses trace C's spans for its `spans` entry.
 */

export interface SpanSpec {
  id: string;
  parent: string | null;
  op: string;
  description: string;
  start: number;
  end: number;
  project: ProjectSlug;
  /** Segment (transaction) name and event ID the span belongs to. */
  transaction: string;
  txId: string;
  isTransaction: boolean;
  status: string;
  data?: Json;
  profileId?: string;
  /** Which issue refs hang off this span, by short ID. */
  errors?: string[];
  occurrences?: string[];
}

const SDK: Record<ProjectSlug, string> = {
  storefront: "sentry.javascript.react",
  "orders-api": "sentry.javascript.node",
  payments: "sentry.python.flask",
};
export const sdkName = (p: ProjectSlug): string => SDK[p];

const COUPON_SQL = "SELECT id, code, percent, stackable FROM coupons WHERE code = $1";
export const ITEMS_SQL = "SELECT * FROM order_items WHERE order_id = $1";
const ORDERS_LIST_SQL =
  "SELECT id, status, total_cents, created_at FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 12";

type Base = Pick<SpanSpec, "project" | "transaction" | "txId" | "isTransaction" | "status"> &
  Partial<SpanSpec>;

function span(
  base: Base,
  id: string,
  parent: string | null,
  op: string,
  description: string,
  at: readonly [number, number],
  extra: Partial<SpanSpec> = {},
): SpanSpec {
  return { ...base, id, parent, op, description, start: at[0], end: at[1], ...extra };
}

const PG = { "db.system": "postgresql" };
const http = (status: number, method: string): Json => ({
  "http.response.status_code": status,
  "http.request.method": method,
});

export function traceASpans(now: number): SpanSpec[] {
  const t = timeline(now).a;
  const pl = t.pageloadStart;
  const pageload = spanId("a.storefront.pageload");
  const click = spanId("a.storefront.click");
  const ordersRoot = spanId("a.orders.root");
  const ratesClient = spanId("a.orders.rates");
  const ratesServer = spanId("a.payments.rates");
  const sfPage: Base = {
    project: "storefront",
    transaction: "/checkout",
    txId: DEMO.txStorefrontPageload,
    isTransaction: false,
    status: "ok",
  };
  const sfClick: Base = { ...sfPage, txId: DEMO.txStorefrontClick };
  const orders: Base = {
    project: "orders-api",
    transaction: "POST /v1/orders",
    txId: DEMO.txOrders,
    isTransaction: false,
    status: "ok",
  };
  const rates: Base = {
    project: "payments",
    transaction: "GET /v1/rates",
    txId: hexId("tx:a.payments.rates"),
    isTransaction: false,
    status: "ok",
  };
  const fail = "internal_error";
  return [
    span(sfPage, pageload, null, "pageload", "/checkout", [pl, t.pageloadEnd], { isTransaction: true }),
    span(
      sfPage,
      spanId("a.sf.css"),
      pageload,
      "resource.css",
      "https://acme.shop/assets/index-1c7d9e42.css",
      [pl + 118, pl + 260],
    ),
    span(
      sfPage,
      spanId("a.sf.js"),
      pageload,
      "resource.script",
      "https://acme.shop/assets/index-8f3a2c1d.js",
      [pl + 120, pl + 540],
    ),
    span(
      sfPage,
      spanId("a.sf.cart"),
      pageload,
      "http.client",
      "GET https://api.acme.shop/v1/cart",
      [pl + 640, pl + 802],
      {
        data: http(200, "GET"),
      },
    ),
    span(sfPage, spanId("a.sf.mount"), pageload, "ui.react.mount", "<Checkout>", [pl + 880, pl + 1010]),
    span(
      sfClick,
      click,
      null,
      "ui.action.click",
      "body > div#root > main.checkout > button#place-order",
      [t.click, t.clickEnd],
      { isTransaction: true },
    ),
    span(
      sfClick,
      DEMO.spanStorefrontHttp,
      click,
      "http.client",
      "POST https://api.acme.shop/v1/orders",
      [t.sfHttpStart, t.sfHttpEnd],
      { status: fail, data: http(500, "POST"), errors: [DEMO.storefrontIssueShortId] },
    ),
    span(
      orders,
      ordersRoot,
      DEMO.spanStorefrontHttp,
      "http.server",
      "POST /v1/orders",
      [t.ordersStart, t.ordersEnd],
      {
        isTransaction: true,
        status: fail,
        data: http(500, "POST"),
      },
    ),
    span(orders, spanId("a.orders.coupon1"), ordersRoot, "db", COUPON_SQL, t.coupon1, { data: PG }),
    span(orders, spanId("a.orders.coupon2"), ordersRoot, "db", COUPON_SQL, t.coupon2, { data: PG }),
    span(orders, ratesClient, ordersRoot, "http.client", "GET http://payments.internal/v1/rates", t.rates, {
      data: http(200, "GET"),
    }),
    span(rates, ratesServer, ratesClient, "http.server", "GET /v1/rates", [t.rates[0] + 6, t.rates[1] - 5], {
      isTransaction: true,
      data: http(200, "GET"),
    }),
    span(
      rates,
      spanId("a.payments.fx"),
      ratesServer,
      "db",
      "SELECT currency, rate FROM fx_rates WHERE base = %s AND day = %s",
      [t.rates[0] + 14, t.rates[1] - 22],
      { data: PG },
    ),
    span(orders, DEMO.spanOrdersPricing, ordersRoot, "function", "priceOrder", t.pricing, {
      status: fail,
      errors: [DEMO.ordersIssueShortId],
    }),
  ];
}

export function traceBSpans(now: number): SpanSpec[] {
  const t = timeline(now).b;
  const root = DEMO.spanPaymentsRoot;
  const base: Base = {
    project: "payments",
    transaction: "POST /v1/charges",
    txId: DEMO.txPayments,
    isTransaction: false,
    status: "ok",
  };
  return [
    span(base, root, null, "http.server", "POST /v1/charges", [t.start, t.end], {
      isTransaction: true,
      status: "internal_error",
      data: http(500, "POST"),
      errors: [DEMO.paymentsIssueShortId],
    }),
    span(
      base,
      spanId("b.payments.select"),
      root,
      "db",
      "SELECT id, total_cents, currency, customer_id FROM orders WHERE id = %s",
      t.select,
      {
        data: PG,
      },
    ),
    span(base, spanId("b.payments.build"), root, "function", "app.charges.build_charge", t.build, {
      status: "internal_error",
    }),
    span(base, spanId("b.payments.rollback"), root, "db", "ROLLBACK", t.rollback, { data: PG }),
  ];
}

export const repeatSpanId = (i: number): string => spanId(`c.orders.item${i}`);
export const LIST_SPAN_ID = spanId("c.orders.list");
export const CAUSE_SPAN_ID = spanId("c.orders.cause");

/** Trace C: GET /v1/orders loads each order's items one query at a time (the N+1). */
export function traceCSpans(now: number): SpanSpec[] {
  const t = timeline(now).c;
  const base: Base = {
    project: "orders-api",
    transaction: "GET /v1/orders",
    txId: DEMO.perfEvent,
    isTransaction: false,
    status: "ok",
    profileId: DEMO.profileC,
  };
  const db = { data: { ...PG, "db.name": "orders", "server.address": "orders-db.internal" } };
  return [
    span(base, DEMO.spanPerfRoot, null, "http.server", "GET /v1/orders", [t.start, t.end], {
      isTransaction: true,
      data: http(200, "GET"),
      occurrences: [DEMO.perfIssueShortId],
    }),
    span(base, LIST_SPAN_ID, DEMO.spanPerfRoot, "function", "listOrders", t.list),
    span(base, CAUSE_SPAN_ID, LIST_SPAN_ID, "db", ORDERS_LIST_SQL, t.cause, db),
    ...t.repeats.map((at, i) => span(base, repeatSpanId(i), LIST_SPAN_ID, "db", ITEMS_SQL, at, db)),
  ];
}
