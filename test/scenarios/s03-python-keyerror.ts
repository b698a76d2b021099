import type { Json } from "../../src/sandbox/scenario.ts";
import {
  ago,
  breadcrumb,
  breadcrumbsEntry,
  chainEvents,
  code,
  DAY,
  daysAgo,
  edit,
  errorEvent,
  eventRelease,
  exceptionEntry,
  exceptionValue,
  HOUR,
  hexId,
  issueDetails,
  libraryFrame,
  logRows,
  MIN,
  organization,
  type ProjectDef,
  projectJson,
  release,
  releaseStub,
  releasesOf,
  requestEntry,
  sourceFrame,
  tagDistribution,
} from "./builders.ts";
import type { CorpusScenario, RepoSpec } from "./types.ts";

/**
 * S03: the order-tracking endpoint 500s with KeyError: 'on_hold'. The handler maps order statuses to labels
 * with a dict that never knew "on_hold"; the ops team recently started holding orders for fraud review.
 */

const FULFILLMENT: ProjectDef = { id: 4531, slug: "fulfillment-api", platform: "python-flask" };
const REPO = "acme/fulfillment-api";

const LENA = { author: "Lena Ortiz", email: "lena.ortiz@acme.shop" };
const RAVI = { author: "Ravi Iyer", email: "ravi.iyer@acme.shop" };

const requirements = code(`
flask==3.1.0
gunicorn==23.0.0
psycopg[binary]==3.2.3
sentry-sdk[flask]==2.19.2
`);

const wsgi = code(`
from app import create_app

app = create_app()
`);

const appInit = code(`
import os

import sentry_sdk
from flask import Flask


def create_app() -> Flask:
    sentry_sdk.init(
        dsn=os.environ.get("SENTRY_DSN"),
        release=os.environ.get("RELEASE"),
        environment=os.environ.get("APP_ENV", "development"),
        traces_sample_rate=0.2,
    )
    app = Flask(__name__)

    from app.handlers import health, orders

    app.register_blueprint(orders.bp)
    app.register_blueprint(health.bp)
    return app
`);

const handlersInit = code(`
"""HTTP handlers, one blueprint per resource."""
`);

const dbV0 = code(`
import os
from contextlib import contextmanager

import psycopg
from psycopg.rows import dict_row

_DSN = os.environ.get("DATABASE_URL", "postgresql://localhost/fulfillment")


@contextmanager
def connection():
    with psycopg.connect(_DSN, row_factory=dict_row) as conn:
        yield conn


def fetch_order(order_id: str):
    with connection() as conn:
        return conn.execute(
            "SELECT id, status, customer_id, placed_at FROM orders WHERE id = %s",
            (order_id,),
        ).fetchone()


def latest_shipment(order_id: str):
    with connection() as conn:
        return conn.execute(
            "SELECT carrier, tracking_number, shipped_at FROM shipments "
            "WHERE order_id = %s ORDER BY shipped_at DESC LIMIT 1",
            (order_id,),
        ).fetchone()
`);

const dbV2 = edit(
  dbV0,
  `"SELECT carrier, tracking_number, shipped_at FROM shipments "`,
  `"SELECT carrier, tracking_number, shipped_at, eta_from, eta_to FROM shipments "`,
);

const healthV0 = code(`
from flask import Blueprint, jsonify

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    return jsonify(ok=True)
`);

const healthV3 = code(`
import time

from flask import Blueprint, jsonify

from app import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    started = time.perf_counter()
    with db.connection() as conn:
        conn.execute("SELECT 1")
    return jsonify(ok=True, db_ms=round((time.perf_counter() - started) * 1000, 1))
`);

const carriers = code(`
"""Public tracking pages of the carriers we ship with."""

_TRACKING_URLS = {
    "dhl": "https://www.dhl.com/track?tracking-id={number}",
    "ups": "https://www.ups.com/track?tracknum={number}",
    "gls": "https://gls-group.com/track/{number}",
}


def tracking_url(shipment) -> str | None:
    template = _TRACKING_URLS.get(shipment["carrier"])
    if template is None:
        return None
    return template.format(number=shipment["tracking_number"])
`);

const ordersV0 = code(`
from flask import Blueprint, abort, jsonify

from app import db

bp = Blueprint("orders", __name__, url_prefix="/v1/orders")

STATUS_LABELS = {
    "pending": "Order received",
    "paid": "Payment confirmed",
    "picking": "Being picked in the warehouse",
    "packed": "Packed, waiting for the courier",
    "shipped": "On its way",
    "delivered": "Delivered",
    "cancelled": "Cancelled",
    "refunded": "Refunded",
}


@bp.get("/<order_id>/tracking")
def get_tracking(order_id: str):
    order = db.fetch_order(order_id)
    if order is None:
        abort(404)
    shipment = db.latest_shipment(order_id)
    return jsonify(
        order_id=order_id,
        status=order["status"],
        label=STATUS_LABELS[order["status"]],
        carrier=shipment["carrier"] if shipment else None,
    )
`);

const ordersV1 = code(`
from flask import Blueprint, abort, jsonify

from app import db
from app.carriers import tracking_url

bp = Blueprint("orders", __name__, url_prefix="/v1/orders")

STATUS_LABELS = {
    "pending": "Order received",
    "paid": "Payment confirmed",
    "picking": "Being picked in the warehouse",
    "packed": "Packed, waiting for the courier",
    "shipped": "On its way",
    "delivered": "Delivered",
    "cancelled": "Cancelled",
    "refunded": "Refunded",
}


@bp.get("/<order_id>/tracking")
def get_tracking(order_id: str):
    order = db.fetch_order(order_id)
    if order is None:
        abort(404)
    shipment = db.latest_shipment(order_id)
    return jsonify(
        order_id=order_id,
        status=order["status"],
        label=STATUS_LABELS[order["status"]],
        carrier=shipment["carrier"] if shipment else None,
        tracking_url=tracking_url(shipment) if shipment else None,
    )
`);

const ordersV2 = code(`
from flask import Blueprint, abort, jsonify

from app import db
from app.carriers import tracking_url

bp = Blueprint("orders", __name__, url_prefix="/v1/orders")

STATUS_LABELS = {
    "pending": "Order received",
    "paid": "Payment confirmed",
    "picking": "Being picked in the warehouse",
    "packed": "Packed, waiting for the courier",
    "shipped": "On its way",
    "delivered": "Delivered",
    "cancelled": "Cancelled",
    "refunded": "Refunded",
}


def _delivery_window(shipment):
    if not shipment or shipment["eta_from"] is None:
        return None
    return {"from": shipment["eta_from"].isoformat(), "to": shipment["eta_to"].isoformat()}


@bp.get("/<order_id>/tracking")
def get_tracking(order_id: str):
    order = db.fetch_order(order_id)
    if order is None:
        abort(404)
    shipment = db.latest_shipment(order_id)
    return jsonify(
        order_id=order_id,
        status=order["status"],
        label=STATUS_LABELS[order["status"]],
        carrier=shipment["carrier"] if shipment else None,
        tracking_url=tracking_url(shipment) if shipment else None,
        delivery_window=_delivery_window(shipment),
    )
`);

const repo: RepoSpec = {
  name: REPO,
  projects: [FULFILLMENT.slug],
  commits: [
    {
      ...LENA,
      message: "fulfillment-api: order tracking endpoint",
      date: daysAgo(63),
      files: {
        "requirements.txt": requirements,
        "wsgi.py": wsgi,
        "app/__init__.py": appInit,
        "app/db.py": dbV0,
        "app/handlers/__init__.py": handlersInit,
        "app/handlers/health.py": healthV0,
        "app/handlers/orders.py": ordersV0,
      },
    },
    {
      ...RAVI,
      message: "tracking: link to the carrier's tracking page (#34)",
      date: daysAgo(26),
      files: { "app/carriers.py": carriers, "app/handlers/orders.py": ordersV1 },
    },
    {
      ...LENA,
      message: "tracking: show the estimated delivery window (#41)",
      date: daysAgo(12),
      files: { "app/db.py": dbV2, "app/handlers/orders.py": ordersV2 },
    },
    {
      ...RAVI,
      message: "health: report database latency (#44)",
      date: daysAgo(4.3),
      files: { "app/handlers/health.py": healthV3 },
    },
  ],
};

// ---- Sentry ----------------------------------------------------------------------------------------------

const REL = release({
  version: "fulfillment-api@2026.11.24",
  id: 51_400_118,
  project: FULFILLMENT,
  repo,
  repoId: "81",
  commits: [],
  refOnly: 3,
  createdMs: ago(4 * DAY),
  newGroups: 0,
  lastEventMs: ago(3 * MIN),
});

const ISSUE = "7330207";
const SHORT = "FULFILLMENT-API-3C";
const EVENTS = [
  { id: hexId("s03:event:1"), ms: ago(2 * DAY - 35 * MIN), order: "ord_4Tq8Vx" },
  { id: hexId("s03:event:2"), ms: ago(9 * MIN), order: "ord_9Kd2Lm" },
];

const site = (path: string, module: string, fn: string, lineNo: number) =>
  libraryFrame({
    filename: path,
    absPath: `/usr/local/lib/python3.12/site-packages/${path}`,
    module,
    fn,
    lineNo,
  });

function frames(order: string): Json[] {
  return [
    site("flask/app.py", "flask.app", "wsgi_app", 1511),
    site("flask/app.py", "flask.app", "full_dispatch_request", 919),
    site("flask/app.py", "flask.app", "dispatch_request", 902),
    sourceFrame({
      src: ordersV2,
      at: `label=STATUS_LABELS[order["status"]]`,
      fn: "get_tracking",
      filename: "app/handlers/orders.py",
      absPath: "/srv/app/app/handlers/orders.py",
      module: "app.handlers.orders",
      vars: {
        order_id: `'${order}'`,
        order: {
          id: `'${order}'`,
          status: "'on_hold'",
          customer_id: "'cus_2f81d0'",
          placed_at: "datetime(…)",
        },
        shipment: "None",
      },
    }),
  ];
}

function trackingEvent(e: (typeof EVENTS)[number]): Json {
  const url = `https://fulfillment.acme.shop/v1/orders/${e.order}/tracking`;
  return errorEvent({
    id: e.id,
    issueId: ISSUE,
    project: FULFILLMENT,
    platform: "python",
    title: "KeyError: 'on_hold'",
    culprit: "app.handlers.orders in get_tracking",
    location: "app/handlers/orders.py",
    dateMs: e.ms,
    entries: [
      exceptionEntry([
        exceptionValue({
          type: "KeyError",
          value: "'on_hold'",
          mechanism: { type: "flask", handled: false },
          frames: frames(e.order),
        }),
      ]),
      breadcrumbsEntry([
        breadcrumb(
          e.ms - 14,
          "default",
          "query",
          "SELECT id, status, customer_id, placed_at FROM orders WHERE id = %s",
          { "db.system": "postgresql" },
        ),
        breadcrumb(
          e.ms - 6,
          "default",
          "query",
          "SELECT carrier, tracking_number, shipped_at, eta_from, eta_to FROM shipments WHERE order_id = %s ORDER BY shipped_at DESC LIMIT 1",
          { "db.system": "postgresql" },
        ),
      ]),
      requestEntry({
        method: "GET",
        url,
        headers: [
          ["Accept", "application/json"],
          ["Host", "fulfillment.acme.shop"],
          ["User-Agent", "AcmeShop/5.2.0 (Android 15; Pixel 8)"],
        ],
      }),
    ],
    tags: {
      environment: "production",
      handled: "no",
      level: "error",
      mechanism: "flask",
      release: REL.version,
      "runtime.name": "CPython",
      server_name: "fulfillment-api-77c5d9b8f-jm4tw",
      transaction: "/v1/orders/<order_id>/tracking",
      url,
    },
    contexts: {
      trace: {
        trace_id: hexId(`s03:trace:${e.id}`),
        span_id: hexId(`s03:span:${e.id}`, 16),
        op: "http.server",
        status: "internal_error",
        origin: "auto.http.flask",
        sampled: true,
        type: "trace",
      },
      runtime: { name: "CPython", version: "3.12.7", type: "runtime" },
    },
    sdk: { name: "sentry.python.flask", version: "2.19.2" },
    release: eventRelease(REL),
    metadata: {
      type: "KeyError",
      value: "'on_hold'",
      filename: "app/handlers/orders.py",
      function: "get_tracking",
    },
  });
}

function logs(): Json[] {
  const base = { project: FULFILLMENT.slug };
  return logRows([
    {
      ...base,
      trace: hexId("s03:trace:ops-hold-1"),
      ms: ago(2 * DAY + 2 * HOUR),
      severity: "info",
      message: "order ord_4Tq8Vx status paid -> on_hold (source=ops-console, reason=fraud_review)",
      attrs: { order_id: "ord_4Tq8Vx" },
    },
    {
      ...base,
      trace: hexId("s03:trace:ops-hold-2"),
      ms: ago(5 * HOUR),
      severity: "info",
      message: "order ord_9Kd2Lm status paid -> on_hold (source=ops-console, reason=fraud_review)",
      attrs: { order_id: "ord_9Kd2Lm" },
    },
    ...EVENTS.map((e) => ({
      ...base,
      trace: hexId(`s03:trace:${e.id}`),
      ms: e.ms + 2,
      severity: "error" as const,
      message: `Exception on /v1/orders/${e.order}/tracking [GET]`,
      attrs: { "http.route": "/v1/orders/<order_id>/tracking" },
    })),
  ]);
}

const tags = [
  tagDistribution("environment", [["production", 312, 2 * DAY, 9 * MIN]]),
  tagDistribution("release", [[REL.version, 312, 2 * DAY, 9 * MIN]]),
  tagDistribution("transaction", [["/v1/orders/<order_id>/tracking", 312, 2 * DAY, 9 * MIN]]),
  tagDistribution("server_name", [
    ["fulfillment-api-77c5d9b8f-jm4tw", 164, 2 * DAY, 9 * MIN],
    ["fulfillment-api-77c5d9b8f-8vqpk", 148, 2 * DAY, 22 * MIN],
  ]),
];

export const s03: CorpusScenario = {
  name: "s03-python-keyerror",
  story:
    "The app's order tracking screen fails for some orders: FULFILLMENT-API-3C, KeyError: 'on_hold' raised in " +
    'get_tracking (app/handlers/orders.py) at `STATUS_LABELS[order["status"]]`. The frame\'s locals show the ' +
    "order's status is 'on_hold', a status the STATUS_LABELS dict has never contained. Nothing was deployed " +
    "when it started (the running release is four days old and the mapping dates from the first commit); logs " +
    "show the ops console started moving orders to on_hold for fraud review two days ago, which is when the " +
    "issue first appeared. The bug is latent in the handler: it indexes the label table without a fallback. " +
    "The fix is in get_tracking (add the label and fall back to a generic one for unknown statuses).",
  issue: SHORT,
  repos: [repo],
  expected: {
    verdict: "in_app",
    repo: REPO,
    file: "app/handlers/orders.py",
    function: "get_tracking",
  },
  sentry: {
    organization: organization(),
    projects: [projectJson(FULFILLMENT, REL.version)],
    issues: [
      {
        issue: issueDetails({
          id: ISSUE,
          shortId: SHORT,
          project: FULFILLMENT,
          title: "KeyError: 'on_hold'",
          culprit: "app.handlers.orders in get_tracking",
          platform: "python",
          metadata: {
            type: "KeyError",
            value: "'on_hold'",
            filename: "app/handlers/orders.py",
            function: "get_tracking",
            in_app_frame_mix: "mixed",
          },
          substatus: "ongoing",
          count: 312,
          userCount: 41,
          firstSeenMs: EVENTS[0]!.ms,
          lastSeenMs: EVENTS[1]!.ms,
          firstRelease: releaseStub(REL),
          lastRelease: releaseStub(REL),
          tagDistributions: tags,
        }),
        events: chainEvents(EVENTS.map(trackingEvent)),
        tags,
      },
    ],
    logs: logs(),
    ...releasesOf([REL]),
  },
};
