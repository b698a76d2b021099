import type { Json, SandboxIssue } from "../scenario.ts";
import {
  baseEvent,
  breadcrumb,
  chainEvents,
  eventTags,
  exceptionEntry,
  exceptionValue,
  frame,
  MIN,
  requestEntry,
  source,
  tagDistribution,
} from "./common.ts";
import { DEMO, hexId, PROJECT_IDS, spanId } from "./ids.ts";
import { activity, issueDetails } from "./issue-base.ts";
import { eventRelease, releaseStub } from "./releases.ts";
import { timeline } from "./times.ts";

/**
 * STOREFRONT-3F: the browser side of the checkout failure. The orders API answered 500 (ORDERS-API-7A),
 * axios rejected, and `src/api/client.ts` reported it (handled). Same trace as ORDERS-API-7A. Frames are
 * source-mapped; `rawStacktrace` keeps the minified originals.
 */

export const STOREFRONT_TITLE = "AxiosError: Request failed with status code 500";
const UA =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

const webpack = (path: string, fn: string, lineNo: number, colNo: number, inApp: boolean, lines: string[]) =>
  frame({
    filename: `./${path}`,
    absPath: `webpack:///./${path}`,
    module: path.replace(/\.[jt]sx?$/, ""),
    fn,
    lineNo,
    colNo,
    inApp,
    context: source(lineNo, lines, 5),
  });

function frames(): Json[] {
  return [
    webpack("src/pages/Checkout.tsx", "submitOrder", 58, 27, true, [
      "  const navigate = useNavigate();",
      "",
      "  async function submitOrder() {",
      '    setStatus("submitting");',
      "    try {",
      "      const order = await createOrder({ items, coupons, currency });",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a source excerpt, not a template
      "      navigate(`/orders/${order.id}/confirmation`);",
      "    } catch (err) {",
      '      setStatus("failed");',
      '      toast.error("We couldn\'t place your order. Please try again.");',
      "    }",
    ]),
    webpack("src/api/orders.ts", "createOrder", 14, 10, true, [
      'import { request } from "./client";',
      'import type { CartSnapshot, Order } from "./types";',
      "",
      "export async function createOrder(cart: CartSnapshot): Promise<Order> {",
      "  const body = { currency: cart.currency, items: cart.items.map(toLineItem), coupons: cart.coupons };",
      '  return request<Order>("POST", "/v1/orders", body);',
      "}",
      "",
      "export async function getOrder(id: string): Promise<Order> {",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a source excerpt, not a template
      "  return request<Order>(`GET`, `/v1/orders/${id}`);",
      "}",
    ]),
    webpack("src/api/client.ts", "request", 28, 23, true, [
      '  headers: { "Content-Type": "application/json" },',
      "});",
      "",
      "export async function request<T>(method: Method, path: string, data?: unknown): Promise<T> {",
      "  try {",
      "    const res = await http.request<T>({ method, url: path, data });",
      "    return res.data;",
      "  } catch (err) {",
      '    Sentry.captureException(err, { tags: { "api.path": path } });',
      "    throw err;",
      "  }",
    ]),
    webpack("node_modules/axios/lib/adapters/xhr.js", "XMLHttpRequest.onloadend", 99, 7, false, [
      "        statusText: request.statusText,",
      "        headers: responseHeaders,",
      "        config,",
      "        request",
      "      };",
      "      settle(function _resolve(value) {",
      "        resolve(value);",
      "        done();",
      "      }, function _reject(err) {",
      "        reject(err);",
      "        done();",
    ]),
    webpack("node_modules/axios/lib/core/settle.js", "settle", 19, 12, false, [
      "export default function settle(resolve, reject, response) {",
      "  const validateStatus = response.config.validateStatus;",
      "  if (!response.status || !validateStatus || validateStatus(response.status)) {",
      "    resolve(response);",
      "  } else {",
      "    reject(new AxiosError(",
      "      'Request failed with status code ' + response.status,",
      "      [AxiosError.ERR_BAD_REQUEST, AxiosError.ERR_BAD_RESPONSE][Math.floor(response.status / 100) - 4],",
      "      response.config,",
      "      response.request,",
      "      response",
    ]),
  ];
}

/** What the browser actually reported before source maps: one minified line per bundle. */
function rawFrames(): Json[] {
  const min = (bundle: string, fn: string | null, colNo: number, inApp: boolean) =>
    frame({
      filename: `/assets/${bundle}.js`,
      absPath: `https://acme.shop/assets/${bundle}.js`,
      fn,
      lineNo: 1,
      colNo,
      inApp,
    });
  return [
    min("index-8f3a2c1d", "Ld", 48213, true),
    min("index-8f3a2c1d", "Sk", 31877, true),
    min("index-8f3a2c1d", "Ok", 30944, true),
    min("vendor-3b9e0f71", "XMLHttpRequest.onloadend", 118402, false),
    min("vendor-3b9e0f71", null, 109655, false),
  ];
}

function storefrontEvent(now: number): Json {
  const t = timeline(now).a;
  const checkout = "https://acme.shop/checkout";
  const breadcrumbs = [
    breadcrumb(t.pageloadStart, "navigation", "navigation", null, { from: "/cart", to: "/checkout" }),
    breadcrumb(t.pageloadStart + 640, "http", "xhr", null, {
      method: "GET",
      url: "https://api.acme.shop/v1/cart",
      status_code: 200,
    }),
    breadcrumb(
      t.click - 9_200,
      "default",
      "ui.input",
      "body > div#root > main.checkout > form > input#coupon-code",
    ),
    breadcrumb(t.click - 8_450, "http", "xhr", null, {
      method: "POST",
      url: "https://api.acme.shop/v1/cart/coupons",
      status_code: 200,
    }),
    breadcrumb(
      t.click - 8_300,
      "default",
      "console",
      "[cart] coupon SPRING-24 applied (stacked with WELCOME10)",
    ),
    breadcrumb(t.click, "default", "ui.click", "body > div#root > main.checkout > button#place-order"),
    breadcrumb(
      t.sfHttpEnd,
      "http",
      "xhr",
      null,
      { method: "POST", url: "https://api.acme.shop/v1/orders", status_code: 500 },
      "error",
    ),
  ];
  return {
    ...baseEvent({
      id: DEMO.storefrontEvent,
      groupID: DEMO.storefrontIssueId,
      projectID: String(PROJECT_IDS.storefront),
      type: "error",
      platform: "javascript",
      title: STOREFRONT_TITLE,
      culprit: "/checkout",
      location: "./src/api/client.ts",
      dateMs: t.storefrontError,
    }),
    size: 7421,
    entries: [
      exceptionEntry([
        exceptionValue({
          type: "AxiosError",
          value: "Request failed with status code 500",
          mechanism: { type: "generic", handled: true },
          frames: frames(),
          rawFrames: rawFrames(),
        }),
      ]),
      { type: "breadcrumbs", data: { values: breadcrumbs } },
      requestEntry({
        method: null,
        url: checkout,
        headers: [
          ["Referer", "https://acme.shop/cart"],
          ["User-Agent", UA],
        ],
      }),
    ],
    user: {
      id: "cus_19f0a2",
      email: null,
      username: null,
      ip_address: "203.0.113.42",
      name: null,
      geo: { country_code: "DE", city: "Berlin", region: "Germany" },
      data: null,
    },
    contexts: {
      trace: {
        trace_id: DEMO.traceA,
        span_id: DEMO.spanStorefrontHttp,
        parent_span_id: spanId("a.storefront.click"),
        op: "http.client",
        status: "internal_error",
        origin: "auto.http.browser",
        client_sample_rate: 0.25,
        sampled: true,
        type: "trace",
      },
      browser: { name: "Chrome", version: "131.0.0", type: "browser" },
      os: { name: "macOS", version: "10.15.7", type: "os" },
      AxiosError: {
        code: "ERR_BAD_RESPONSE",
        message: "Request failed with status code 500",
        name: "AxiosError",
        status: 500,
        type: "default",
      },
    },
    sdk: { name: "sentry.javascript.react", version: "9.30.0" },
    metadata: {
      type: "AxiosError",
      value: "Request failed with status code 500",
      filename: "./src/api/client.ts",
      function: "request",
      in_app_frame_mix: "mixed",
    },
    tags: eventTags({
      "api.path": "/v1/orders",
      browser: "Chrome 131.0.0",
      "browser.name": "Chrome",
      environment: "production",
      handled: "yes",
      level: "error",
      mechanism: "generic",
      os: "macOS 10.15.7",
      "os.name": "macOS",
      release: DEMO.storefrontRelease,
      transaction: "/checkout",
      url: checkout,
      user: "id:cus_19f0a2",
    }),
    fingerprints: [hexId("fingerprint:STOREFRONT-3F")],
    release: eventRelease(now, DEMO.storefrontRelease),
  };
}

export function storefrontIssue(now: number): SandboxIssue {
  const tl = timeline(now);
  const ago = (ms: number) => (now - ms) / MIN;
  const first = ago(tl.ordersFirstSeen + 2 * MIN);
  const last = ago(tl.a.storefrontError);
  const dists = [
    tagDistribution(now, "browser.name", [
      ["Chrome", 611, first, last],
      ["Safari", 214, first - 1, 9.4],
      ["Firefox", 87, first - 30, 22.8],
      ["Edge", 35, first - 95, 61.5],
    ]),
    tagDistribution(now, "os.name", [
      ["macOS", 402, first, last],
      ["Windows", 311, first - 4, 5.1],
      ["iOS", 164, first - 7, 9.4],
      ["Android", 70, first - 52, 33.2],
    ]),
    tagDistribution(now, "environment", [
      ["production", 921, first, last],
      ["staging", 26, first - 38, 302],
    ]),
    tagDistribution(now, "release", [[DEMO.storefrontRelease, 947, first, last]]),
    tagDistribution(now, "transaction", [["/checkout", 947, first, last]]),
    tagDistribution(now, "url", [
      ["https://acme.shop/checkout", 921, first, last],
      ["https://staging.acme.shop/checkout", 26, first - 38, 302],
    ]),
    tagDistribution(now, "handled", [["yes", 947, first, last]]),
  ];
  const issue = issueDetails({
    now,
    id: DEMO.storefrontIssueId,
    shortId: DEMO.storefrontIssueShortId,
    title: STOREFRONT_TITLE,
    culprit: "/checkout",
    level: "error",
    substatus: "new",
    platform: "javascript",
    project: "storefront",
    type: "error",
    issueType: "error",
    issueCategory: "error",
    metadata: {
      type: "AxiosError",
      value: "Request failed with status code 500",
      filename: "./src/api/client.ts",
      function: "request",
      in_app_frame_mix: "mixed",
      sdk: { name: "sentry.javascript.react", name_normalized: "sentry.javascript.react" },
      severity: 0.41,
      severity_reason: "ml",
      initial_priority: 50,
      title: STOREFRONT_TITLE,
    },
    priority: "medium",
    isUnhandled: false,
    count: 947,
    userCount: 298,
    firstSeenMs: tl.ordersFirstSeen + 2 * MIN,
    lastSeenMs: tl.a.storefrontError,
    firstRelease: releaseStub(now, DEMO.storefrontRelease),
    lastRelease: releaseStub(now, DEMO.storefrontRelease),
    fixability: 0.34,
    perHour: 7,
    tagDistributions: dists,
    activity: [activity("0", "first_seen", tl.ordersFirstSeen + 2 * MIN, { priority: "medium" })],
  });
  return {
    issue,
    events: chainEvents([storefrontEvent(now)]),
    recommendedEventId: DEMO.storefrontEvent,
    tags: dists,
  };
}
