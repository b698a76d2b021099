/** acme/orders-api at HEAD: server wiring, database, HTTP clients, logging and the price cache. */

export const SERVER = `import * as Sentry from "@sentry/node";
import express, { type NextFunction, type Request, type Response } from "express";
import { ZodError } from "zod";
import { log, withRequestId } from "./lib/log.js";
import { startPriceRefresh } from "./pricing/prices.js";
import { createOrder, getOrderById, getOrders } from "./routes/orders.js";

declare global {
  namespace Express {
    interface Request {
      /** Set by the API gateway, which has already verified the session. */
      auth: { customerId: string; staff: boolean };
    }
  }
}

Sentry.init({
  dsn: process.env.SENTRY_DSN,
  release: process.env.RELEASE,
  environment: process.env.APP_ENV ?? "development",
  tracesSampleRate: 0.2,
});

const app = express();
app.use(express.json({ limit: "64kb" }));
app.use(withRequestId);
app.use((req, _res, next) => {
  req.auth = { customerId: req.header("x-customer-id") ?? "", staff: req.header("x-staff") === "1" };
  next();
});

app.post("/v1/orders", createOrder);
app.get("/v1/orders", getOrders);
app.get("/v1/orders/:id", getOrderById);
app.get("/healthz", (_req, res) => res.json({ ok: true }));

Sentry.setupExpressErrorHandler(app);
app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
  if (err instanceof ZodError) return res.status(400).json({ error: "invalid request", issues: err.issues });
  const status = (err as { status?: number }).status ?? 500;
  res.status(status).json({ error: status === 500 ? "internal error" : (err as Error).message });
});

const port = Number(process.env.PORT ?? 8080);
startPriceRefresh();
app.listen(port, () => log.info("orders-api listening", { port }));
`;

export const DB = `import pg from "pg";
import { unitPriceCents } from "./pricing/prices.js";
import type { OrderItemRow, OrderRow, PricedOrder } from "./services/order-service.js";

export const db = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });

export const orders = {
  /** Inserts the order and its items in one transaction. */
  async insert(order: PricedOrder): Promise<OrderRow & { items: OrderItemRow[] }> {
    const client = await db.connect();
    try {
      await client.query("BEGIN");
      const { rows } = await client.query<OrderRow>(
        "INSERT INTO orders (customer_id, currency, total_cents, status) VALUES ($1, $2, $3, 'pending') RETURNING id, status, total_cents, created_at",
        [order.customerId, order.currency, Math.round(order.total * 100)],
      );
      const row = rows[0]!;
      const items: OrderItemRow[] = [];
      for (const item of order.items) {
        const inserted = await client.query<OrderItemRow>(
          "INSERT INTO order_items (order_id, sku, qty, unit_price_cents) VALUES ($1, $2, $3, $4) RETURNING *",
          [row.id, item.sku, item.qty, unitPriceCents(item.sku)],
        );
        items.push(inserted.rows[0]!);
      }
      await client.query("COMMIT");
      return { ...row, items };
    } catch (err) {
      await client.query("ROLLBACK");
      throw err;
    } finally {
      client.release();
    }
  },
};
`;

export const CLIENTS = `import type { Rates } from "./pricing/prices.js";
import type { Customer } from "./services/order-service.js";

const CUSTOMERS_URL = process.env.CUSTOMERS_URL ?? "http://customers.internal";
const PAYMENTS_URL = process.env.PAYMENTS_URL ?? "http://payments.internal";

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  if (!res.ok) throw new Error(\`GET \${url} answered \${res.status}\`);
  return (await res.json()) as T;
}

export const customers = {
  get: (id: string) => getJson<Customer>(\`\${CUSTOMERS_URL}/v1/customers/\${encodeURIComponent(id)}\`),
};

export const payments = {
  /** Today's exchange rates from EUR, as the payments service publishes them. */
  getRates: async (currency: string): Promise<Rates> => {
    const body = await getJson<{ rates: Rates }>(\`\${PAYMENTS_URL}/v1/rates?currency=\${currency}\`);
    return body.rates;
  },
};
`;

export const LOG = `import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import type { NextFunction, Request, Response } from "express";

/** JSON lines on stdout; the log shipper adds pod and node labels. */

type Level = "debug" | "info" | "warn" | "error";
type Fields = Record<string, unknown>;

const requestContext = new AsyncLocalStorage<{ requestId: string }>();

function write(level: Level, msg: string, fields: Fields = {}): void {
  const requestId = requestContext.getStore()?.requestId;
  const entry = { ts: new Date().toISOString(), level, msg, ...(requestId ? { requestId } : {}), ...fields };
  process.stdout.write(\`\${JSON.stringify(entry)}\\n\`);
}

export const log = {
  debug: (msg: string, fields?: Fields) => write("debug", msg, fields),
  info: (msg: string, fields?: Fields) => write("info", msg, fields),
  warn: (msg: string, fields?: Fields) => write("warn", msg, fields),
  error: (msg: string, fields?: Fields) => write("error", msg, fields),
};

/** Tags every log line of a request with its X-Request-Id (or a fresh one) and echoes it back. */
export function withRequestId(req: Request, res: Response, next: NextFunction): void {
  const requestId = req.header("x-request-id") ?? \`req_\${randomUUID()}\`;
  res.setHeader("X-Request-Id", requestId);
  requestContext.run({ requestId }, next);
}
`;

export const PRICES = `import { db } from "../db.js";
import { log } from "../lib/log.js";
import type { LineItem } from "../services/order-service.js";

/** Units of a currency per EUR. */
export type Rates = Record<string, number>;

const REFRESH_MS = 5 * 60_000;
const RETRY_MS = 5_000;

/** Catalogue unit prices in EUR cents by SKU, refreshed every five minutes. */
let prices = new Map<string, number>();

async function refresh(): Promise<void> {
  const { rows } = await db.query<{ sku: string; price_cents: number }>("SELECT sku, price_cents FROM catalogue");
  prices = new Map(rows.map((r) => [r.sku, r.price_cents]));
  log.info("price cache refreshed", { skus: prices.size });
}

/** Loads the cache, retrying every few seconds until the catalogue answers, then keeps it fresh. */
export function startPriceRefresh(): void {
  const tick = () =>
    refresh().then(
      () => setTimeout(tick, REFRESH_MS).unref(),
      (err: unknown) => {
        log.warn("price cache refresh failed, retrying", { error: String(err) });
        setTimeout(tick, prices.size === 0 ? RETRY_MS : REFRESH_MS).unref();
      },
    );
  void tick();
}

export class PricesNotReadyError extends Error {
  readonly status = 503;
}

export function unitPriceCents(sku: string): number {
  if (prices.size === 0) throw new PricesNotReadyError("price cache is still warming up");
  const cents = prices.get(sku);
  if (cents === undefined) throw new Error(\`unknown sku \${sku}\`);
  return cents;
}

/** EUR subtotal of the line items, before coupons. */
export function sumLineItems(items: LineItem[]): number {
  const cents = items.reduce((sum, item) => sum + unitPriceCents(item.sku) * item.qty, 0);
  return cents / 100;
}

export function convert(amount: number, rates: Rates, currency: string): number {
  if (currency === "EUR") return amount;
  const rate = rates[currency];
  if (rate === undefined) throw new Error(\`no exchange rate for \${currency}\`);
  return Math.round(amount * rate * 100) / 100;
}
`;
