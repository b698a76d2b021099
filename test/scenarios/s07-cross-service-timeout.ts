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
  spanNode,
  tagDistribution,
  traceMeta,
} from "./builders.ts";
import type { CorpusScenario, RepoSpec } from "./types.ts";

/**
 * S07: checkout's call to inventory times out after 5 s. Inventory records no error at all; its trace shows
 * the availability query taking ~6.8 s since #91 joined the (never purged, unindexed by sku) reservations
 * table into it.
 */

const CHECKOUT: ProjectDef = { id: 4571, slug: "checkout", platform: "node" };
const INVENTORY: ProjectDef = { id: 4572, slug: "inventory", platform: "python-fastapi" };
const CO_REPO = "acme/checkout-service";
const INV_REPO = "acme/inventory-service";

const ELIF = { author: "Elif Demir", email: "elif.demir@acme.shop" };
const NOAH = { author: "Noah Fischer", email: "noah.fischer@acme.shop" };
const ZARA = { author: "Zara Ahmed", email: "zara.ahmed@acme.shop" };

// ---- checkout (Node) -------------------------------------------------------------------------------------

const coPackage = code(`
{
  "name": "@acme/checkout-service",
  "private": true,
  "version": "3.2.1",
  "scripts": {
    "start": "node --enable-source-maps dist/server.js",
    "build": "tsc -p ."
  },
  "dependencies": {
    "@sentry/node": "^9.30.0",
    "express": "^5.1.0",
    "pg": "^8.13.1",
    "pino-http": "^10.3.0"
  },
  "devDependencies": {
    "@types/express": "^5.0.0",
    "typescript": "^5.6.3"
  }
}
`);

const coInstrument = code(`
import * as Sentry from "@sentry/node";

Sentry.init({
  dsn: process.env.SENTRY_DSN,
  release: process.env.RELEASE,
  environment: process.env.APP_ENV ?? "development",
  tracesSampleRate: 1.0,
  tracePropagationTargets: [/\\.internal/],
});
`);

const coServer = code(`
import "./instrument";
import * as Sentry from "@sentry/node";
import express from "express";
import pinoHttp from "pino-http";
import { HttpError } from "./errors";
import { checkout } from "./routes/checkout";

const app = express();
app.use(express.json());
app.use(pinoHttp());
app.use(checkout);

Sentry.setupExpressErrorHandler(app, {
  shouldHandleError: (err) => !(err instanceof HttpError) || err.status >= 500,
});
app.use((err: Error, req: express.Request, res: express.Response, _next: express.NextFunction) => {
  if (err instanceof HttpError) {
    res.status(err.status).json({ error: err.message, ...err.details });
    return;
  }
  req.log.error({ err }, "checkout failed");
  res.status(503).json({ error: "checkout is temporarily unavailable, please retry" });
});

app.listen(Number(process.env.PORT ?? 8080));
`);

const coErrors = code(`
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}
`);

const coCartsV0 = code(`
import { Pool } from "pg";

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });

export interface CartLine {
  sku: string;
  quantity: number;
}

export interface Cart {
  id: string;
  lines: CartLine[];
}

export async function loadCart(cartId: string): Promise<Cart> {
  const { rows } = await pool.query("SELECT id, lines FROM carts WHERE id = $1 AND status = 'open'", [cartId]);
  if (!rows[0]) throw new Error("cart " + cartId + " is not open");
  return { id: rows[0].id, lines: rows[0].lines };
}

export async function markCheckedOut(cartId: string): Promise<{ orderId: string }> {
  const { rows } = await pool.query(
    "UPDATE carts SET status = 'checked_out' WHERE id = $1 RETURNING order_id",
    [cartId],
  );
  return { orderId: rows[0].order_id };
}
`);

const coCartsV2 = edit(
  edit(
    coCartsV0,
    "export async function markCheckedOut(cartId: string): Promise<{ orderId: string }> {",
    "export async function markCheckedOut(cartId: string, idempotencyKey: string): Promise<{ orderId: string }> {",
  ),
  `    "UPDATE carts SET status = 'checked_out' WHERE id = $1 RETURNING order_id",
    [cartId],`,
  `    "UPDATE carts SET status = 'checked_out', checkout_key = $2 WHERE id = $1 AND (checkout_key IS NULL OR checkout_key = $2) RETURNING order_id",
    [cartId, idempotencyKey],`,
);

const coInventoryV0 = code(`
const INVENTORY_URL = process.env.INVENTORY_URL ?? "http://inventory.internal";

export interface AvailabilityResult {
  ok: boolean;
  short: Record<string, number>;
}

export async function checkAvailability(items: Record<string, number>): Promise<AvailabilityResult> {
  const res = await fetch(INVENTORY_URL + "/v1/availability", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ items }),
  });
  if (!res.ok) throw new Error("inventory answered HTTP " + res.status);
  return (await res.json()) as AvailabilityResult;
}
`);

const coInventoryV1 = code(`
const INVENTORY_URL = process.env.INVENTORY_URL ?? "http://inventory.internal";

/** The storefront gives checkout 8 s; inventory normally answers in well under 100 ms. */
const TIMEOUT_MS = 5_000;

export interface AvailabilityResult {
  ok: boolean;
  short: Record<string, number>;
}

export async function checkAvailability(items: Record<string, number>): Promise<AvailabilityResult> {
  const res = await fetch(INVENTORY_URL + "/v1/availability", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ items }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (!res.ok) throw new Error("inventory answered HTTP " + res.status);
  return (await res.json()) as AvailabilityResult;
}
`);

const coServiceV0 = code(`
import { checkAvailability } from "../clients/inventory";
import { loadCart, markCheckedOut } from "../db/carts";
import { HttpError } from "../errors";

export async function placeOrder(cartId: string): Promise<{ orderId: string }> {
  const cart = await loadCart(cartId);
  const items = Object.fromEntries(cart.lines.map((line) => [line.sku, line.quantity]));
  const availability = await checkAvailability(items);
  if (!availability.ok) throw new HttpError(409, "some items are out of stock", { short: availability.short });
  return markCheckedOut(cart.id);
}
`);

const coServiceV2 = code(`
import { checkAvailability } from "../clients/inventory";
import { loadCart, markCheckedOut } from "../db/carts";
import { HttpError } from "../errors";

export async function placeOrder(cartId: string, idempotencyKey: string): Promise<{ orderId: string }> {
  const cart = await loadCart(cartId);
  const items = Object.fromEntries(cart.lines.map((line) => [line.sku, line.quantity]));
  const availability = await checkAvailability(items);
  if (!availability.ok) throw new HttpError(409, "some items are out of stock", { short: availability.short });
  return markCheckedOut(cart.id, idempotencyKey);
}
`);

const coRouteV0 = code(`
import { Router } from "express";
import { placeOrder } from "../services/checkout";

export const checkout = Router();

checkout.post("/v1/checkout", async function placeOrderHandler(req, res) {
  const { cartId } = req.body as { cartId: string };
  const order = await placeOrder(cartId);
  res.status(201).json(order);
});
`);

const coRouteV2 = code(`
import { randomUUID } from "node:crypto";
import { Router } from "express";
import { placeOrder } from "../services/checkout";

export const checkout = Router();

checkout.post("/v1/checkout", async function placeOrderHandler(req, res) {
  const { cartId } = req.body as { cartId: string };
  const key = req.get("idempotency-key") ?? randomUUID();
  const order = await placeOrder(cartId, key);
  res.status(201).json(order);
});
`);

const checkoutRepo: RepoSpec = {
  name: CO_REPO,
  projects: [CHECKOUT.slug],
  commits: [
    {
      ...ELIF,
      message: "checkout-service: place orders from open carts",
      date: daysAgo(54),
      files: {
        "package.json": coPackage,
        "src/instrument.ts": coInstrument,
        "src/server.ts": coServer,
        "src/errors.ts": coErrors,
        "src/db/carts.ts": coCartsV0,
        "src/clients/inventory.ts": coInventoryV0,
        "src/services/checkout.ts": coServiceV0,
        "src/routes/checkout.ts": coRouteV0,
      },
    },
    {
      ...ELIF,
      message:
        "inventory client: 5 s timeout so checkout fails fast (#140)\n\nA hung inventory call used to hold the storefront request until its own 8 s timeout.",
      date: daysAgo(21),
      files: { "src/clients/inventory.ts": coInventoryV1 },
    },
    {
      ...NOAH,
      message: "checkout: idempotent order placement (#146)",
      date: daysAgo(10.5),
      files: {
        "src/db/carts.ts": coCartsV2,
        "src/services/checkout.ts": coServiceV2,
        "src/routes/checkout.ts": coRouteV2,
      },
    },
  ],
};

// ---- inventory (Python, FastAPI) -------------------------------------------------------------------------

const invRequirements = code(`
asyncpg==0.30.0
fastapi==0.115.6
sentry-sdk[fastapi]==2.19.2
uvicorn[standard]==0.32.1
`);

const invMainV0 = code(`
import os

import sentry_sdk
from fastapi import FastAPI

from app.routes import availability

sentry_sdk.init(
    dsn=os.environ.get("SENTRY_DSN"),
    release=os.environ.get("RELEASE"),
    environment=os.environ.get("APP_ENV", "development"),
    traces_sample_rate=1.0,
)

app = FastAPI(title="inventory")
app.include_router(availability.router)
`);

const invMainV1 = code(`
import os

import sentry_sdk
from fastapi import FastAPI

from app.routes import availability, reservations

sentry_sdk.init(
    dsn=os.environ.get("SENTRY_DSN"),
    release=os.environ.get("RELEASE"),
    environment=os.environ.get("APP_ENV", "development"),
    traces_sample_rate=1.0,
)

app = FastAPI(title="inventory")
app.include_router(availability.router)
app.include_router(reservations.router)
`);

const invDb = code(`
import os

import asyncpg

_pool: asyncpg.Pool | None = None


async def pool() -> asyncpg.Pool:
    global _pool
    if _pool is None:
        _pool = await asyncpg.create_pool(os.environ["DATABASE_URL"], min_size=2, max_size=10)
    return _pool
`);

const invStockV0 = code(`
import asyncpg


async def available_quantities(conn: asyncpg.Connection, skus: list[str]) -> dict[str, int]:
    rows = await conn.fetch("SELECT sku, on_hand FROM stock_levels WHERE sku = ANY($1)", skus)
    return {row["sku"]: row["on_hand"] for row in rows}
`);

const invStockV1 = code(`
from datetime import datetime, timedelta, timezone

import asyncpg

RESERVATION_TTL = timedelta(minutes=15)


async def available_quantities(conn: asyncpg.Connection, skus: list[str]) -> dict[str, int]:
    rows = await conn.fetch("SELECT sku, on_hand FROM stock_levels WHERE sku = ANY($1)", skus)
    return {row["sku"]: row["on_hand"] for row in rows}


async def reserve(conn: asyncpg.Connection, cart_id: str, items: dict[str, int]) -> datetime:
    expires_at = datetime.now(timezone.utc) + RESERVATION_TTL
    await conn.executemany(
        "INSERT INTO reservations (cart_id, sku, quantity, expires_at) VALUES ($1, $2, $3, $4)",
        [(cart_id, sku, quantity, expires_at) for sku, quantity in items.items()],
    )
    return expires_at
`);

const AVAILABILITY_SQL = `SELECT s.sku, s.on_hand - COALESCE(SUM(r.quantity), 0) AS available
        FROM stock_levels s
        LEFT JOIN reservations r ON r.sku = s.sku AND r.expires_at > now()
        WHERE s.sku = ANY($1)
        GROUP BY s.sku, s.on_hand`;

const invStockV2 = edit(
  invStockV1,
  `async def available_quantities(conn: asyncpg.Connection, skus: list[str]) -> dict[str, int]:
    rows = await conn.fetch("SELECT sku, on_hand FROM stock_levels WHERE sku = ANY($1)", skus)
    return {row["sku"]: row["on_hand"] for row in rows}`,
  `async def available_quantities(conn: asyncpg.Connection, skus: list[str]) -> dict[str, int]:
    """On-hand stock minus what other carts currently hold."""
    rows = await conn.fetch(
        """
        ${AVAILABILITY_SQL}
        """,
        skus,
    )
    return {row["sku"]: row["available"] for row in rows}`,
);

const invAvailabilityRoute = code(`
import logging
import time

from fastapi import APIRouter
from pydantic import BaseModel

from app.db import pool
from app.stock import available_quantities

logger = logging.getLogger(__name__)
router = APIRouter()


class AvailabilityRequest(BaseModel):
    items: dict[str, int]


@router.post("/v1/availability")
async def post_availability(body: AvailabilityRequest):
    started = time.perf_counter()
    async with (await pool()).acquire() as conn:
        available = await available_quantities(conn, list(body.items))
    elapsed_ms = (time.perf_counter() - started) * 1000
    if elapsed_ms > 1000:
        logger.warning("availability for %d skus took %.0fms", len(body.items), elapsed_ms)
    short = {sku: qty for sku, qty in body.items.items() if available.get(sku, 0) < qty}
    return {"ok": not short, "short": short}
`);

const invReservationsRoute = code(`
from fastapi import APIRouter
from pydantic import BaseModel

from app.db import pool
from app.stock import reserve

router = APIRouter()


class ReservationRequest(BaseModel):
    cart_id: str
    items: dict[str, int]


@router.post("/v1/reservations")
async def post_reservation(body: ReservationRequest):
    async with (await pool()).acquire() as conn:
        expires_at = await reserve(conn, body.cart_id, body.items)
    return {"cart_id": body.cart_id, "expires_at": expires_at.isoformat()}
`);

const migration1 = code(`
CREATE TABLE stock_levels (
    sku        text PRIMARY KEY,
    on_hand    integer     NOT NULL CHECK (on_hand >= 0),
    updated_at timestamptz NOT NULL DEFAULT now()
);
`);

const migration2 = code(`
CREATE TABLE reservations (
    id          bigserial PRIMARY KEY,
    cart_id     text        NOT NULL,
    sku         text        NOT NULL,
    quantity    integer     NOT NULL CHECK (quantity > 0),
    expires_at  timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Reservations are looked up by cart when the order is placed or the cart is abandoned.
CREATE INDEX reservations_cart_id_idx ON reservations (cart_id);
`);

const gunicornV3 = code(`
import multiprocessing
import os

bind = "0.0.0.0:8000"
worker_class = "uvicorn.workers.UvicornWorker"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
timeout = 30
`);

const inventoryRepo: RepoSpec = {
  name: INV_REPO,
  projects: [INVENTORY.slug],
  commits: [
    {
      ...ZARA,
      message: "inventory: availability endpoint",
      date: daysAgo(92),
      files: {
        "requirements.txt": invRequirements,
        "migrations/0001_stock_levels.sql": migration1,
        "app/__init__.py": "",
        "app/main.py": invMainV0,
        "app/db.py": invDb,
        "app/stock.py": invStockV0,
        "app/routes/__init__.py": "",
        "app/routes/availability.py": invAvailabilityRoute,
      },
    },
    {
      ...ZARA,
      message: "reservations: hold stock for 15 minutes while a cart checks out (#77)",
      date: daysAgo(61),
      files: {
        "migrations/0002_reservations.sql": migration2,
        "app/main.py": invMainV1,
        "app/stock.py": invStockV1,
        "app/routes/reservations.py": invReservationsRoute,
      },
    },
    {
      ...NOAH,
      message:
        "availability: subtract stock held by active reservations (#91)\n\nFixes overselling during flash sales: two carts could both see the last unit as available.",
      date: daysAgo(5.4),
      files: { "app/stock.py": invStockV2 },
    },
    {
      ...ZARA,
      message: "ops: size gunicorn workers from WEB_CONCURRENCY (#92)",
      date: daysAgo(5.2),
      files: { "gunicorn.conf.py": gunicornV3 },
    },
  ],
};

// ---- Sentry ----------------------------------------------------------------------------------------------

const CO_REL = release({
  version: "checkout@3.2.1",
  id: 51_800_321,
  project: CHECKOUT,
  repo: checkoutRepo,
  repoId: "121",
  commits: [2],
  createdMs: ago(10 * DAY),
  newGroups: 1,
  lastEventMs: ago(4 * MIN),
});
const INV_REL = release({
  version: "inventory@2.9.0",
  id: 51_800_290,
  project: INVENTORY,
  repo: inventoryRepo,
  repoId: "122",
  commits: [2, 3],
  createdMs: ago(5 * DAY),
  newGroups: 0,
  lastEventMs: ago(4 * MIN),
});

const ISSUE = "7370442";
const SHORT = "CHECKOUT-6H";
const TITLE = "TimeoutError: The operation was aborted due to timeout";
const TRACE = hexId("s07:trace");
const EVENT = hexId("s07:event:2");
const EVENT_OLD = hexId("s07:event:1");
const TX_CO = hexId("s07:tx:checkout");
const TX_INV = hexId("s07:tx:inventory");
const SPAN_CO = hexId("s07:span:co-server", 16);
const SPAN_CART = hexId("s07:span:co-cart", 16);
const SPAN_CLIENT = hexId("s07:span:co-client", 16);
const SPAN_INV = hexId("s07:span:inv-server", 16);
const SPAN_ACQUIRE = hexId("s07:span:inv-acquire", 16);
const SPAN_QUERY = hexId("s07:span:inv-query", 16);

const T0 = ago(4 * MIN);
const T_CART: [number, number] = [T0 + 3, T0 + 7];
const T_CLIENT: [number, number] = [T0 + 9, T0 + 9 + 5_001];
const T_INV: [number, number] = [T0 + 12, T0 + 12 + 6_843];
const T_ACQUIRE: [number, number] = [T0 + 13, T0 + 15];
const T_QUERY: [number, number] = [T0 + 16, T0 + 16 + 6_812];
const T_ERROR = T_CLIENT[1] + 1;
const T_CO_END = T_ERROR + 4;

const app = (src: string, path: string, fn: string, at: string, colNo: number) =>
  sourceFrame({
    src,
    at,
    fn,
    filename: path,
    absPath: `/app/${path}`,
    module: path
      .replace(/^src\//, "src.")
      .replace(/\.ts$/, "")
      .replace(/\/([^/]+)$/, ":$1"),
    colNo,
  });

function frames(): Json[] {
  return [
    app(coRouteV2, "src/routes/checkout.ts", "placeOrderHandler", "await placeOrder(cartId, key)", 23),
    app(coServiceV2, "src/services/checkout.ts", "placeOrder", "await checkAvailability(items)", 24),
    app(coInventoryV1, "src/clients/inventory.ts", "checkAvailability", "const res = await fetch(", 15),
    libraryFrame({
      filename: "node:internal/process/task_queues",
      absPath: "node:internal/process/task_queues",
      module: "task_queues",
      fn: "process.processTicksAndRejections",
      lineNo: 95,
      colNo: 5,
    }),
    libraryFrame({
      filename: "node:internal/deps/undici/undici",
      absPath: "node:internal/deps/undici/undici",
      module: "undici",
      fn: "fetch",
      lineNo: 13_502,
      colNo: 13,
    }),
  ];
}

function timeoutEvent(id: string, ms: number, trace: string, span: string, cart: string): Json {
  return errorEvent({
    id,
    issueId: ISSUE,
    project: CHECKOUT,
    platform: "node",
    title: TITLE,
    culprit: "POST /v1/checkout",
    location: "src/clients/inventory.ts",
    dateMs: ms,
    entries: [
      exceptionEntry([
        exceptionValue({
          type: "TimeoutError",
          value: "The operation was aborted due to timeout",
          mechanism: { type: "auto.middleware.express", handled: false },
          frames: frames(),
        }),
      ]),
      breadcrumbsEntry([
        breadcrumb(
          ms - 5_006,
          "query",
          "query",
          "SELECT id, lines FROM carts WHERE id = $1 AND status = 'open'",
          {
            "db.system": "postgresql",
          },
        ),
        breadcrumb(
          ms - 1,
          "http",
          "http",
          null,
          {
            method: "POST",
            url: "http://inventory.internal/v1/availability",
          },
          "error",
        ),
      ]),
      requestEntry({
        method: "POST",
        url: "https://checkout.acme.shop/v1/checkout",
        headers: [
          ["Content-Type", "application/json"],
          [
            "Idempotency-Key",
            hexId(`s07:key:${id}`).replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*$/, "$1-$2-$3-$4-$5"),
          ],
          ["User-Agent", "storefront-bff/2.4.0"],
        ],
        data: { cartId: cart },
        inferredContentType: "application/json",
      }),
    ],
    tags: {
      environment: "production",
      handled: "no",
      level: "error",
      mechanism: "auto.middleware.express",
      release: CO_REL.version,
      "runtime.name": "node",
      server_name: "checkout-7d6c5b8f9-p4q8s",
      transaction: "POST /v1/checkout",
      url: "https://checkout.acme.shop/v1/checkout",
    },
    contexts: {
      trace: {
        trace_id: trace,
        span_id: span,
        op: "http.server",
        status: "internal_error",
        origin: "auto.http.otel.http",
        sampled: true,
        type: "trace",
      },
      runtime: { name: "node", version: "v20.18.1", type: "runtime" },
    },
    sdk: { name: "sentry.javascript.node", version: "9.30.0" },
    release: eventRelease(CO_REL),
    metadata: {
      type: "TimeoutError",
      value: "The operation was aborted due to timeout",
      filename: "node:internal/deps/undici/undici",
      function: "fetch",
      in_app_frame_mix: "mixed",
    },
  });
}

function traceNodes(): Json[] {
  const co = {
    project: CHECKOUT,
    sdk: "sentry.javascript.node",
    transaction: "POST /v1/checkout",
    txId: TX_CO,
  };
  const inv = {
    project: INVENTORY,
    sdk: "sentry.python.fastapi",
    transaction: "/v1/availability",
    txId: TX_INV,
  };
  const ref = {
    event_id: EVENT,
    event_type: "error",
    issue_id: Number(ISSUE),
    short_id: SHORT,
    level: "error",
    culprit: "POST /v1/checkout",
    description: TITLE,
    project_id: CHECKOUT.id,
    project_slug: CHECKOUT.slug,
    transaction: "POST /v1/checkout",
    start_timestamp: T_ERROR / 1000,
    issue_type: 1,
  };
  return [
    spanNode({
      ...co,
      id: SPAN_CO,
      parent: null,
      op: "http.server",
      description: "POST /v1/checkout",
      start: T0,
      end: T_CO_END,
      isTransaction: true,
      status: "internal_error",
      attributes: { "http.request.method": "POST", "http.response.status_code": 503 },
      errors: [ref],
      children: [
        spanNode({
          ...co,
          id: SPAN_CART,
          parent: SPAN_CO,
          op: "db",
          description: "SELECT id, lines FROM carts WHERE id = $1 AND status = 'open'",
          start: T_CART[0],
          end: T_CART[1],
          attributes: { "db.system": "postgresql" },
        }),
        spanNode({
          ...co,
          id: SPAN_CLIENT,
          parent: SPAN_CO,
          op: "http.client",
          description: "POST http://inventory.internal/v1/availability",
          start: T_CLIENT[0],
          end: T_CLIENT[1],
          status: "deadline_exceeded",
          attributes: { "http.request.method": "POST", "server.address": "inventory.internal" },
          children: [
            spanNode({
              ...inv,
              id: SPAN_INV,
              parent: SPAN_CLIENT,
              op: "http.server",
              description: "POST /v1/availability",
              start: T_INV[0],
              end: T_INV[1],
              isTransaction: true,
              status: "ok",
              attributes: { "http.request.method": "POST", "http.response.status_code": 200 },
              children: [
                spanNode({
                  ...inv,
                  id: SPAN_ACQUIRE,
                  parent: SPAN_INV,
                  op: "db",
                  description: "connect",
                  start: T_ACQUIRE[0],
                  end: T_ACQUIRE[1],
                  attributes: { "db.system": "postgresql" },
                }),
                spanNode({
                  ...inv,
                  id: SPAN_QUERY,
                  parent: SPAN_INV,
                  op: "db",
                  description: AVAILABILITY_SQL.replace(/\s+/g, " "),
                  start: T_QUERY[0],
                  end: T_QUERY[1],
                  attributes: {
                    "db.system": "postgresql",
                    "db.name": "inventory",
                    "code.function": "available_quantities",
                    "code.namespace": "app.stock",
                    "code.filepath": "/srv/inventory/app/stock.py",
                  },
                }),
              ],
            }),
          ],
        }),
      ],
    }),
  ];
}

function logs(): Json[] {
  return logRows([
    {
      project: CHECKOUT.slug,
      trace: TRACE,
      ms: T_CO_END - 1,
      severity: "error",
      message: "checkout failed",
      span: SPAN_CO,
      attrs: { "err.name": "TimeoutError", "err.message": "The operation was aborted due to timeout" },
    },
    {
      project: INVENTORY.slug,
      trace: TRACE,
      ms: T_QUERY[1] + 2,
      severity: "warn",
      message: "availability for 9 skus took 6815ms",
      span: SPAN_INV,
      attrs: { "logger.name": "app.routes.availability" },
    },
    {
      project: INVENTORY.slug,
      trace: hexId("s07:trace:earlier"),
      ms: ago(5 * DAY - 20 * MIN),
      severity: "warn",
      message: "availability for 4 skus took 5120ms",
      attrs: { "logger.name": "app.routes.availability" },
    },
    {
      project: INVENTORY.slug,
      trace: hexId("s07:trace:before-release"),
      ms: ago(6 * DAY),
      severity: "info",
      message: "reservation held for cart crt_41aa0e until 2026-11-22T11:15:00+00:00",
    },
  ]);
}

const tags = [
  tagDistribution("environment", [["production", 1_874, 5 * DAY - 15 * MIN, 4 * MIN]]),
  tagDistribution("release", [[CO_REL.version, 1_874, 5 * DAY - 15 * MIN, 4 * MIN]]),
  tagDistribution("transaction", [["POST /v1/checkout", 1_874, 5 * DAY - 15 * MIN, 4 * MIN]]),
  tagDistribution("server_name", [
    ["checkout-7d6c5b8f9-p4q8s", 640, 5 * DAY - 15 * MIN, 4 * MIN],
    ["checkout-7d6c5b8f9-m2n7v", 627, 5 * DAY - 14 * MIN, 9 * MIN],
    ["checkout-7d6c5b8f9-c9x3t", 607, 5 * DAY - 12 * MIN, 6 * MIN],
  ]),
];

export const s07: CorpusScenario = {
  name: "s07-cross-service-timeout",
  story:
    "CHECKOUT-6H: POST /v1/checkout fails with TimeoutError: The operation was aborted due to timeout, thrown " +
    "by fetch in checkAvailability (src/clients/inventory.ts), which gives inventory 5 s (#140, three weeks " +
    "old). checkout@3.2.1 has been running for ten days, but the issue started five days ago, within minutes of " +
    "inventory@2.9.0 going out. The trace shows the http.client span to inventory cut at 5.0 s, while " +
    "inventory's own POST /v1/availability transaction ran 6.8 s and returned 200. Inventory recorded no error, " +
    "only the slow span and a 'took 6815ms' warning, and 6.8 s of that was one db span: the availability query " +
    "from available_quantities (app/stock.py). #91 ('subtract stock held by active reservations') joined the " +
    "reservations table into it, and that table has no index on sku and is never purged (migration 0002 " +
    "indexes cart_id only), so every check scans it. The timeout in checkout is correct. The fix belongs to " +
    "inventory's available_quantities query (plus an index on reservations(sku, expires_at)).",
  issue: SHORT,
  repos: [checkoutRepo, inventoryRepo],
  expected: {
    verdict: "in_app",
    repo: INV_REPO,
    file: "app/stock.py",
    function: "available_quantities",
    introducedBy: { repo: INV_REPO, commit: 2 },
  },
  sentry: {
    organization: organization(),
    projects: [projectJson(CHECKOUT, CO_REL.version), projectJson(INVENTORY, INV_REL.version)],
    issues: [
      {
        issue: issueDetails({
          id: ISSUE,
          shortId: SHORT,
          project: CHECKOUT,
          title: TITLE,
          culprit: "POST /v1/checkout",
          platform: "node",
          metadata: {
            type: "TimeoutError",
            value: "The operation was aborted due to timeout",
            filename: "node:internal/deps/undici/undici",
            function: "fetch",
            in_app_frame_mix: "mixed",
          },
          substatus: "escalating",
          count: 1_874,
          userCount: 1_203,
          firstSeenMs: ago(5 * DAY - 15 * MIN),
          lastSeenMs: T_ERROR,
          firstRelease: releaseStub(CO_REL),
          lastRelease: releaseStub(CO_REL),
          tagDistributions: tags,
        }),
        events: chainEvents([
          timeoutEvent(
            EVENT_OLD,
            ago(5 * DAY - 15 * MIN),
            hexId("s07:trace:first"),
            hexId("s07:span:first", 16),
            "crt_0b7e22",
          ),
          timeoutEvent(EVENT, T_ERROR, TRACE, SPAN_CO, "crt_93fd1c"),
        ]),
        tags,
      },
    ],
    traces: { [TRACE]: { meta: traceMeta(traceNodes(), 2), nodes: traceNodes() } },
    logs: logs(),
    ...releasesOf([CO_REL, INV_REL]),
  },
};
