import type { Json, SandboxIssue } from "../scenario.ts";
import {
  baseEvent,
  breadcrumb,
  chainEvents,
  eventTags,
  exceptionEntry,
  exceptionValue,
  filteredRemark,
  frame,
  MIN,
  requestEntry,
  source,
  tagDistribution,
} from "./common.ts";
import { DEMO, hexId, PROJECT_IDS } from "./ids.ts";
import { activity, issueDetails } from "./issue-base.ts";
import { eventRelease, releaseStub } from "./releases.ts";
import { timeline } from "./times.ts";

/**
 * PAYMENTS-1C: a chained Python exception. `values[0]` is the cause (KeyError raised in build_charge),
 * `values[1]` the ChargeError create_charge raised `from exc`, which is what the issue is named after.
 */

const ORDER = "ord_3Vb8Nq1T";
export const PAYMENTS_TITLE = `ChargeError: could not build charge for order ${ORDER}`;
const PAYLOAD_VARS = {
  order_id: `'${ORDER}'`,
  amount_cents: 4999,
  customer_id: "'cus_82ad4c'",
  idempotency_key: "'idem_6f1c0b9e2a'",
};

const API_LINES = [
  '@bp.post("/v1/charges")',
  "def create_charge():",
  "    payload = request.get_json(force=True)",
  '    order = orders.get(payload["order_id"])',
  "    try:",
  "        charge = build_charge(order, payload)",
  "    except KeyError as exc:",
  '        raise ChargeError(f"could not build charge for order {order.id}") from exc',
  "",
  '    result = gateway.create(charge, idempotency_key=payload["idempotency_key"])',
  "    return jsonify(result.to_dict()), 201",
  "",
  "",
];
/** api.py line numbers: the decorator sits on line 40, so build_charge is called on 45 and ChargeError raised on 47. */
const apiContext = (lineNo: number) => source(40, API_LINES, 0).filter(([n]) => Math.abs(n - lineNo) <= 5);

const apiFrame = (lineNo: number, vars: Json) =>
  frame({
    filename: "app/api.py",
    absPath: "/srv/payments/app/api.py",
    module: "app.api",
    fn: "create_charge",
    lineNo,
    inApp: true,
    context: apiContext(lineNo),
    vars,
  });

function causeFrames(): Json[] {
  return [
    apiFrame(45, { payload: PAYLOAD_VARS, order: `<Order ${ORDER} EUR 49.99>` }),
    frame({
      filename: "app/charges.py",
      absPath: "/srv/payments/app/charges.py",
      module: "app.charges",
      fn: "build_charge",
      lineNo: 23,
      inApp: true,
      context: source(
        23,
        [
          "def build_charge(order: Order, payload: dict) -> Charge:",
          '    """Turn a checkout payload into a gateway charge (amounts in minor units)."""',
          '    amount = payload.get("amount_cents", order.total_cents)',
          "    if amount <= 0:",
          '        raise ChargeError(f"refusing to charge {amount} for order {order.id}")',
          '    currency = payload["currency"].upper()',
          "    return Charge(",
          "        amount=amount,",
          "        currency=currency,",
          '        customer=payload["customer_id"],',
          '        metadata={"order_id": order.id},',
        ],
        5,
      ),
      vars: { order: `<Order ${ORDER} EUR 49.99>`, payload: PAYLOAD_VARS, amount: 4999 },
    }),
  ];
}

function outerFrames(): Json[] {
  return [
    frame({
      filename: "flask/app.py",
      absPath: "/usr/local/lib/python3.12/site-packages/flask/app.py",
      module: "flask.app",
      fn: "dispatch_request",
      lineNo: 882,
      inApp: false,
      context: source(
        882,
        [
          '            and req.method == "OPTIONS"',
          "        ):",
          "            return self.make_default_options_response()",
          "        # otherwise dispatch to the handler for that endpoint",
          "        view_args: dict[str, t.Any] = req.view_args  # type: ignore[assignment]",
          "        return self.ensure_sync(self.view_functions[rule.endpoint])(**view_args)  # type: ignore[no-any-return]",
          "",
          "    def full_dispatch_request(self) -> Response:",
          '        """Dispatches the request and on top of that performs request',
          "        pre and postprocessing as well as HTTP exception catching and",
          '        error handling."""',
        ],
        5,
      ),
      vars: {
        self: "<Flask 'app'>",
        req: "<Request 'http://payments.internal/v1/charges' [POST]>",
        rule: "<Rule '/v1/charges' (POST, OPTIONS) -> api.create_charge>",
        view_args: {},
      },
    }),
    apiFrame(47, { payload: PAYLOAD_VARS, order: `<Order ${ORDER} EUR 49.99>`, exc: "KeyError('currency')" }),
  ];
}

function paymentsEvent(now: number): Json {
  const t = timeline(now).b;
  const headers: Array<[string, string]> = [
    ["Accept", "application/json"],
    ["Authorization", "[Filtered]"],
    ["Content-Length", "112"],
    ["Content-Type", "application/json"],
    ["Host", "payments.internal"],
    ["User-Agent", "node"],
    ["X-Request-Id", "req_01JDA2K9V4QX7N3M8B5T1CZ6RW"],
  ];
  const entries = [
    exceptionEntry([
      exceptionValue({
        type: "KeyError",
        value: "'currency'",
        mechanism: { type: "chained", handled: true, source: "__cause__" },
        frames: causeFrames(),
      }),
      exceptionValue({
        type: "ChargeError",
        value: `could not build charge for order ${ORDER}`,
        module: "app.errors",
        mechanism: { type: "flask", handled: false },
        frames: outerFrames(),
      }),
    ]),
    {
      type: "breadcrumbs",
      data: {
        values: [
          breadcrumb(
            t.select[0],
            "default",
            "query",
            "SELECT id, total_cents, currency, customer_id FROM orders WHERE id = %s",
            {},
          ),
          breadcrumb(
            t.build[0],
            "log",
            "app.charges",
            `building charge for order ${ORDER} (4999 minor units)`,
            null,
            "debug",
          ),
          breadcrumb(t.rollback[0], "default", "query", "ROLLBACK", {}),
        ],
      },
    },
    requestEntry({
      method: "POST",
      url: "http://payments.internal/v1/charges",
      headers,
      data: {
        order_id: ORDER,
        amount_cents: 4999,
        customer_id: "cus_82ad4c",
        idempotency_key: "idem_6f1c0b9e2a",
      },
      inferredContentType: "application/json",
    }),
  ];
  const requestIdx = entries.findIndex((e) => e.type === "request");
  const authIdx = headers.findIndex(([k]) => k === "Authorization");
  return {
    ...baseEvent({
      id: DEMO.paymentsEvent,
      groupID: DEMO.paymentsIssueId,
      projectID: String(PROJECT_IDS.payments),
      type: "error",
      platform: "python",
      title: PAYMENTS_TITLE,
      culprit: "POST /v1/charges",
      location: "app/api.py",
      dateMs: t.error,
    }),
    size: 8390,
    entries,
    user: {
      id: "cus_82ad4c",
      email: null,
      username: null,
      ip_address: "10.0.12.37",
      name: null,
      geo: null,
      data: null,
    },
    contexts: {
      trace: {
        trace_id: DEMO.traceB,
        span_id: DEMO.spanPaymentsRoot,
        op: "http.server",
        status: "internal_error",
        origin: "auto.http.flask",
        client_sample_rate: 1,
        sampled: true,
        type: "trace",
      },
      runtime: {
        name: "CPython",
        version: "3.12.7",
        build: "3.12.7 (main, Oct 19 2024, 04:02:24) [GCC 12.2.0]",
        type: "runtime",
      },
      os: { name: "Linux", version: "6.1.112", type: "os" },
    },
    sdk: { name: "sentry.python.flask", version: "2.29.1" },
    metadata: {
      type: "ChargeError",
      value: `could not build charge for order ${ORDER}`,
      filename: "app/api.py",
      function: "create_charge",
      in_app_frame_mix: "mixed",
    },
    tags: eventTags({
      environment: "production",
      handled: "no",
      level: "error",
      mechanism: "flask",
      release: DEMO.paymentsRelease,
      runtime: "CPython 3.12.7",
      "runtime.name": "CPython",
      server_name: "payments-6d9b7c8f4-kq2lp",
      transaction: "POST /v1/charges",
      url: "http://payments.internal/v1/charges",
      user: "id:cus_82ad4c",
    }),
    _meta: {
      entries: { [requestIdx]: { data: { headers: { [authIdx]: { "1": filteredRemark(43) } } } } },
      message: null,
      user: null,
      contexts: null,
      sdk: null,
      context: null,
      packages: null,
      tags: {},
    },
    fingerprints: [hexId("fingerprint:PAYMENTS-1C")],
    release: eventRelease(now, DEMO.paymentsRelease),
  };
}

export function paymentsIssue(now: number): SandboxIssue {
  const tl = timeline(now);
  const firstMs = tl.paymentsDeploy + 3 * 60 * MIN + 17 * MIN;
  const first = (now - firstMs) / MIN;
  const last = (now - tl.b.error) / MIN;
  const dists = [
    tagDistribution(now, "environment", [["production", 218, first, last]]),
    tagDistribution(now, "release", [[DEMO.paymentsRelease, 218, first, last]]),
    tagDistribution(now, "transaction", [["POST /v1/charges", 218, first, last]]),
    tagDistribution(now, "server_name", [
      ["payments-6d9b7c8f4-kq2lp", 121, first, last],
      ["payments-6d9b7c8f4-w7f3d", 97, first - 12, 48.3],
    ]),
    tagDistribution(now, "handled", [["no", 218, first, last]]),
    tagDistribution(now, "runtime.name", [["CPython", 218, first, last]]),
  ];
  const issue = issueDetails({
    now,
    id: DEMO.paymentsIssueId,
    shortId: DEMO.paymentsIssueShortId,
    title: PAYMENTS_TITLE,
    culprit: "POST /v1/charges",
    level: "error",
    substatus: "ongoing",
    platform: "python",
    project: "payments",
    type: "error",
    issueType: "error",
    issueCategory: "error",
    metadata: {
      type: "ChargeError",
      value: `could not build charge for order ${ORDER}`,
      filename: "app/api.py",
      function: "create_charge",
      in_app_frame_mix: "mixed",
      sdk: { name: "sentry.python.flask", name_normalized: "sentry.python.flask" },
      severity: 0.77,
      severity_reason: "ml",
      initial_priority: 75,
      title: PAYMENTS_TITLE,
    },
    priority: "high",
    isUnhandled: true,
    count: 218,
    userCount: 41,
    firstSeenMs: firstMs,
    lastSeenMs: tl.b.error,
    firstRelease: releaseStub(now, DEMO.paymentsRelease),
    lastRelease: releaseStub(now, DEMO.paymentsRelease),
    fixability: 0.82,
    perHour: 1,
    tagDistributions: dists,
    activity: [
      activity("4701877342", "auto_set_ongoing", firstMs + 7 * 24 * 60 * MIN, { after_days: 7 }),
      activity("0", "first_seen", firstMs, { priority: "high" }),
    ],
  });
  return {
    issue,
    events: chainEvents([paymentsEvent(now)]),
    recommendedEventId: DEMO.paymentsEvent,
    tags: dists,
  };
}
