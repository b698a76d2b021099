import type { Json } from "../scenario.ts";
import {
  baseEvent,
  breadcrumb,
  eventTags,
  exceptionEntry,
  exceptionValue,
  filteredRemark,
  MIN,
  requestEntry,
} from "./common.ts";
import { DEMO, hexId, PROJECT_IDS } from "./ids.ts";
import { ordersFrames } from "./orders-frames.ts";
import { eventRelease } from "./releases.ts";

/**
 * ORDERS-API-7A: `TypeError: Cannot read properties of undefined (reading 'percent')` in applyCoupon.
 * Release 2.14.0 re-keyed coupon rules by normalised code ("SPRING24") while applyCoupon still looks up
 * `coupon.code.toUpperCase()` ("SPRING-24"). The local variables on the throw frame show the mismatch.
 */

export const ORDERS_TITLE = "TypeError: Cannot read properties of undefined (reading 'percent')";
const UA =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

interface Variant {
  id: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  errorMs: number;
  startMs: number;
  release: string;
  environment: string;
  server: string;
  requestId: string;
  orderId: string;
  customer: string;
  ip: string;
  subtotal: number;
}

export function ordersEvent(now: number, v: Variant): Json {
  const host = v.environment === "production" ? "api.acme.shop" : "api.staging.acme.shop";
  const url = `https://${host}/v1/orders`;
  const s = v.startMs;
  const breadcrumbs = [
    breadcrumb(s + 2, "http", "http", null, {
      method: "GET",
      url: "http://customers.internal/v1/customers/" + v.customer,
      status_code: 200,
    }),
    breadcrumb(s + 9, "default", "console", `creating order (customer ${v.customer}, 3 items)`),
    breadcrumb(
      s + 18,
      "default",
      "query",
      "SELECT id, code, percent, stackable FROM coupons WHERE code = $1",
      {
        "db.system": "postgresql",
      },
    ),
    breadcrumb(
      s + 42,
      "default",
      "query",
      "SELECT id, code, percent, stackable FROM coupons WHERE code = $1",
      {
        "db.system": "postgresql",
      },
    ),
    breadcrumb(s + 70, "http", "http", null, {
      method: "GET",
      url: "http://payments.internal/v1/rates",
      "http.query": "currency=EUR",
      status_code: 200,
    }),
    breadcrumb(s + 484, "default", "console", `pricing order ${v.orderId} (2 coupons: WELCOME10, SPRING-24)`),
    breadcrumb(s + 488, "default", "console", "applied coupon WELCOME10 (-10%)"),
    breadcrumb(
      s + 490,
      "default",
      "console",
      "coupon rule not found for SPRING-24, falling back",
      { arguments: ["coupon rule not found for SPRING-24, falling back"], logger: "console" },
      "warning",
    ),
    breadcrumb(
      s + 493,
      "default",
      "console",
      "falling back to legacy coupon lookup for SPRING-24",
      null,
      "debug",
    ),
  ];
  const headers: Array<[string, string]> = [
    ["Accept", "application/json"],
    ["Authorization", "[Filtered]"],
    ["Content-Length", "186"],
    ["Content-Type", "application/json"],
    ["Cookie", "session=s%3AkQ9vX2mB7nR4tL8w.Zt3pYc6Jr1Hq8Vd5Nf0Gk2Ws9Lx4; theme=light"],
    ["Host", host],
    ["Origin", "https://acme.shop"],
    ["Referer", "https://acme.shop/checkout"],
    ["User-Agent", UA],
    ["X-Forwarded-For", v.ip],
    ["X-Request-Id", v.requestId],
  ];
  const entries = [
    exceptionEntry([
      exceptionValue({
        type: "TypeError",
        value: "Cannot read properties of undefined (reading 'percent')",
        mechanism: { type: "onunhandledrejection", handled: false },
        frames: ordersFrames("SPRING-24", v.subtotal),
      }),
    ]),
    { type: "breadcrumbs", data: { values: breadcrumbs } },
    requestEntry({
      method: "POST",
      url,
      headers,
      cookies: [
        ["session", "s%3AkQ9vX2mB7nR4tL8w.Zt3pYc6Jr1Hq8Vd5Nf0Gk2Ws9Lx4"],
        ["theme", "light"],
      ],
      data: {
        customerId: v.customer,
        currency: "EUR",
        items: [
          { sku: "SKU-1042", qty: 1 },
          { sku: "SKU-2210", qty: 2 },
        ],
        coupons: ["WELCOME10", "SPRING-24"],
      },
      inferredContentType: "application/json",
    }),
  ];
  const requestIdx = entries.findIndex((e) => e.type === "request");
  const authIdx = headers.findIndex(([k]) => k === "Authorization");
  return {
    ...baseEvent({
      id: v.id,
      groupID: DEMO.ordersIssueId,
      projectID: String(PROJECT_IDS.ordersApi),
      type: "error",
      platform: "node",
      title: ORDERS_TITLE,
      culprit: "POST /v1/orders",
      location: "src/pricing/discounts.ts",
      dateMs: v.errorMs,
    }),
    size: 9184,
    entries,
    user: {
      id: v.customer,
      email: null,
      username: null,
      ip_address: v.ip,
      name: null,
      geo: { country_code: "DE", city: "Berlin", region: "Germany" },
      data: null,
    },
    contexts: {
      trace: {
        trace_id: v.traceId,
        span_id: v.spanId,
        parent_span_id: v.parentSpanId,
        op: "function",
        status: "internal_error",
        origin: "manual",
        client_sample_rate: 1,
        sampled: true,
        type: "trace",
      },
      runtime: { name: "node", version: "v20.18.1", type: "runtime" },
      os: {
        name: "Linux",
        version: "6.1.112",
        kernel_version: "6.1.112-124.190.amzn2023.x86_64",
        type: "os",
      },
      device: { arch: "x64", processor_count: 2, memory_size: 4_118_233_088, type: "device" },
      app: { app_start_time: new Date(v.errorMs - 26 * 60 * MIN).toISOString(), type: "app" },
      culture: { locale: "en-US", timezone: "UTC", type: "culture" },
      cloud_resource: { "cloud.provider": "aws", "cloud.region": "eu-central-1", type: "default" },
    },
    sdk: { name: "sentry.javascript.node", version: "9.30.0" },
    metadata: {
      type: "TypeError",
      value: "Cannot read properties of undefined (reading 'percent')",
      filename: "src/pricing/discounts.ts",
      function: "applyCoupon",
      in_app_frame_mix: "mixed",
    },
    tags: eventTags({
      environment: v.environment,
      handled: "no",
      level: "error",
      mechanism: "onunhandledrejection",
      release: v.release,
      "runtime.name": "node",
      runtime: "node v20.18.1",
      server_name: v.server,
      transaction: "POST /v1/orders",
      url,
      user: `id:${v.customer}`,
    }),
    _meta: {
      entries: {
        [requestIdx]: {
          data: {
            "": null,
            apiTarget: null,
            method: null,
            url: null,
            query: null,
            data: null,
            headers: { [authIdx]: { "1": filteredRemark(71) } },
            cookies: null,
            env: null,
          },
        },
      },
      message: null,
      user: null,
      contexts: null,
      sdk: null,
      context: null,
      packages: null,
      tags: {},
    },
    fingerprints: [hexId("fingerprint:ORDERS-API-7A")],
    release: eventRelease(now, v.release),
  };
}
