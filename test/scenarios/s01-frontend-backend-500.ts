import type { Json } from "../../src/sandbox/scenario.ts";
import {
  ago,
  breadcrumb,
  breadcrumbsEntry,
  chainEvents,
  code,
  DAY,
  daysAgo,
  errorEvent,
  eventRelease,
  exceptionEntry,
  exceptionValue,
  HOUR,
  hexId,
  issueDetails,
  issueRef,
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
  SEC,
  sourceFrame,
  spanNode,
  tagDistribution,
  traceMeta,
} from "./builders.ts";
import type { CorpusScenario, RepoSpec } from "./types.ts";

/**
 * S01: the storefront shows "gift card could not be applied" — an AxiosError 500 in the browser. The browser
 * code is fine; the orders API crashed on gift cards imported from the old POS, which have no expiry date.
 */

const STOREFRONT: ProjectDef = { id: 4511, slug: "storefront", platform: "javascript-react" };
const ORDERS: ProjectDef = { id: 4512, slug: "orders-api", platform: "node" };
const SF_REPO = "acme/storefront";
const API_REPO = "acme/orders-api";

const MAYA = { author: "Maya Lindqvist", email: "maya.lindqvist@acme.shop" };
const OMAR = { author: "Omar Haddad", email: "omar.haddad@acme.shop" };
const JUN = { author: "Jun Park", email: "jun.park@acme.shop" };

// ---- storefront (React, webpack) -------------------------------------------------------------------------

const sfPackage = code(`
{
  "name": "@acme/storefront",
  "private": true,
  "version": "2026.11.3",
  "scripts": {
    "build": "webpack --mode production",
    "start": "webpack serve --mode development"
  },
  "dependencies": {
    "@sentry/react": "^9.30.0",
    "axios": "^1.7.9",
    "react": "^18.3.1",
    "react-dom": "^18.3.1",
    "react-router-dom": "^6.28.0"
  },
  "devDependencies": {
    "ts-loader": "^9.5.1",
    "typescript": "^5.6.3",
    "webpack": "^5.96.1",
    "webpack-cli": "^5.1.4"
  }
}
`);

const sfMain = code(`
import * as Sentry from "@sentry/react";
import { createRoot } from "react-dom/client";
import { BrowserRouter, Route, Routes } from "react-router-dom";
import { Checkout } from "./pages/Checkout";

Sentry.init({
  dsn: process.env.SENTRY_DSN,
  release: process.env.RELEASE,
  environment: process.env.NODE_ENV === "production" ? "production" : "development",
  integrations: [Sentry.browserTracingIntegration()],
  tracePropagationTargets: ["api.acme.shop"],
  tracesSampleRate: 0.25,
});

createRoot(document.getElementById("root")!).render(
  <BrowserRouter>
    <Routes>
      <Route path="/checkout" element={<Checkout />} />
    </Routes>
  </BrowserRouter>,
);
`);

const sfTypes = code(`
export interface Money {
  amountCents: number;
  currency: string;
}

export interface CartLine {
  sku: string;
  name: string;
  quantity: number;
  unitPrice: Money;
}

export interface Cart {
  id: string;
  lines: CartLine[];
  total: Money;
  giftCardApplied: Money | null;
}

export interface Redemption {
  cartId: string;
  applied: Money;
  remainingBalance: Money;
  total: Money;
}
`);

const sfMoney = code(`
import type { Money } from "./types";

const formatters = new Map<string, Intl.NumberFormat>();

export function formatMoney(money: Money, locale = navigator.language): string {
  const key = locale + ":" + money.currency;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.NumberFormat(locale, { style: "currency", currency: money.currency });
    formatters.set(key, formatter);
  }
  return formatter.format(money.amountCents / 100);
}
`);

const sfClientV0 = code(`
import axios, { type Method } from "axios";

const http = axios.create({
  baseURL: process.env.API_URL ?? "https://api.acme.shop",
  timeout: 10_000,
  headers: { "Content-Type": "application/json" },
  withCredentials: true,
});

export async function request<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const response = await http.request<T>({ method, url: path, data: body });
  return response.data;
}
`);

const sfClientV2 = code(`
import * as Sentry from "@sentry/react";
import axios, { type Method } from "axios";

const http = axios.create({
  baseURL: process.env.API_URL ?? "https://api.acme.shop",
  timeout: 10_000,
  headers: { "Content-Type": "application/json" },
  withCredentials: true,
});

/** Calls the Acme API. Server errors are reported here, once, with the API path as a tag. */
export async function request<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const response = await http.request<T>({ method, url: path, data: body }).catch((err: unknown) => {
    if (axios.isAxiosError(err) && (err.response?.status ?? 0) >= 500) {
      Sentry.captureException(err, { tags: { "api.path": path } });
    }
    throw err;
  });
  return response.data;
}
`);

const sfCartApi = code(`
import type { Cart } from "../types";
import { request } from "./client";

export function getCart(cartId: string): Promise<Cart> {
  return request<Cart>("GET", "/v1/carts/" + encodeURIComponent(cartId));
}
`);

const sfGiftCardsApi = code(`
import type { Redemption } from "../types";
import { request } from "./client";

/** Customers type codes with spaces and dashes ("GC-7Q2K 9XPD"); the API wants them bare. */
export function normalizeGiftCardCode(input: string): string {
  return input.replace(/[\\s-]/g, "").toUpperCase();
}

export async function redeemGiftCard(cartId: string, code: string): Promise<Redemption> {
  const redemption = await request<Redemption>("POST", "/v1/gift-cards/redeem", {
    cartId,
    code: normalizeGiftCardCode(code),
  });
  return redemption;
}
`);

const sfGiftCardFormV1 = code(`
import { type FormEvent, useState } from "react";
import { redeemGiftCard } from "../api/giftCards";
import type { Redemption } from "../types";

interface Props {
  cartId: string;
  onRedeemed(redemption: Redemption): void;
}

export function GiftCardForm({ cartId, onRedeemed }: Props) {
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function handleSubmit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const redemption = await redeemGiftCard(cartId, code);
      onRedeemed(redemption);
      setCode("");
    } catch {
      setError("This gift card could not be applied. Please try again later.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="gift-card" onSubmit={handleSubmit}>
      <label htmlFor="gift-card-code">Gift card</label>
      <input id="gift-card-code" value={code} onChange={(e) => setCode(e.target.value)} autoComplete="off" />
      <button type="submit" disabled={busy || code.trim() === ""}>
        Apply
      </button>
      {error && <p className="gift-card__error">{error}</p>}
    </form>
  );
}
`);

const sfCheckoutV0 = code(`
import { useEffect, useState } from "react";
import { getCart } from "../api/cart";
import { formatMoney } from "../money";
import type { Cart } from "../types";

export function Checkout() {
  const [cart, setCart] = useState<Cart | null>(null);

  useEffect(() => {
    const cartId = localStorage.getItem("cartId");
    if (cartId) getCart(cartId).then(setCart);
  }, []);

  if (!cart) return <p>Loading your cart…</p>;

  return (
    <main className="checkout">
      <ul>
        {cart.lines.map((line) => (
          <li key={line.sku}>
            {line.quantity} × {line.name} — {formatMoney(line.unitPrice)}
          </li>
        ))}
      </ul>
      <p className="checkout__total">Total: {formatMoney(cart.total)}</p>
      <button id="place-order" type="button">
        Place order
      </button>
    </main>
  );
}
`);

const sfCheckoutV1 = code(`
import { useEffect, useState } from "react";
import { getCart } from "../api/cart";
import { GiftCardForm } from "../components/GiftCardForm";
import { formatMoney } from "../money";
import type { Cart, Redemption } from "../types";

export function Checkout() {
  const [cart, setCart] = useState<Cart | null>(null);

  useEffect(() => {
    const cartId = localStorage.getItem("cartId");
    if (cartId) getCart(cartId).then(setCart);
  }, []);

  function applyRedemption(redemption: Redemption) {
    setCart((current) => current && { ...current, total: redemption.total, giftCardApplied: redemption.applied });
  }

  if (!cart) return <p>Loading your cart…</p>;

  return (
    <main className="checkout">
      <ul>
        {cart.lines.map((line) => (
          <li key={line.sku}>
            {line.quantity} × {line.name} — {formatMoney(line.unitPrice)}
          </li>
        ))}
      </ul>
      <GiftCardForm cartId={cart.id} onRedeemed={applyRedemption} />
      {cart.giftCardApplied && <p>Gift card: −{formatMoney(cart.giftCardApplied)}</p>}
      <p className="checkout__total">Total: {formatMoney(cart.total)}</p>
      <button id="place-order" type="button">
        Place order
      </button>
    </main>
  );
}
`);

const sfCheckoutV3 = code(`
import { useEffect, useState } from "react";
import { getCart } from "../api/cart";
import { GiftCardForm } from "../components/GiftCardForm";
import { formatMoney } from "../money";
import type { Cart, Money, Redemption } from "../types";

export function Checkout() {
  const [cart, setCart] = useState<Cart | null>(null);
  const [balance, setBalance] = useState<Money | null>(null);

  useEffect(() => {
    const cartId = localStorage.getItem("cartId");
    if (cartId) getCart(cartId).then(setCart);
  }, []);

  function applyRedemption(redemption: Redemption) {
    setCart((current) => current && { ...current, total: redemption.total, giftCardApplied: redemption.applied });
    setBalance(redemption.remainingBalance);
  }

  if (!cart) return <p>Loading your cart…</p>;

  return (
    <main className="checkout">
      <ul>
        {cart.lines.map((line) => (
          <li key={line.sku}>
            {line.quantity} × {line.name} — {formatMoney(line.unitPrice)}
          </li>
        ))}
      </ul>
      <GiftCardForm cartId={cart.id} onRedeemed={applyRedemption} />
      {cart.giftCardApplied && <p>Gift card: −{formatMoney(cart.giftCardApplied)}</p>}
      {balance && <p className="checkout__balance">Remaining gift card balance: {formatMoney(balance)}</p>}
      <p className="checkout__total">Total: {formatMoney(cart.total)}</p>
      <button id="place-order" type="button">
        Place order
      </button>
    </main>
  );
}
`);

const storefrontRepo: RepoSpec = {
  name: SF_REPO,
  projects: [STOREFRONT.slug],
  commits: [
    {
      ...MAYA,
      message: "Storefront checkout page",
      date: daysAgo(41),
      files: {
        "package.json": sfPackage,
        "src/main.tsx": sfMain,
        "src/types.ts": sfTypes,
        "src/money.ts": sfMoney,
        "src/api/client.ts": sfClientV0,
        "src/api/cart.ts": sfCartApi,
        "src/pages/Checkout.tsx": sfCheckoutV0,
      },
    },
    {
      ...MAYA,
      message: "checkout: gift card form (#181)",
      date: daysAgo(19),
      files: {
        "src/api/giftCards.ts": sfGiftCardsApi,
        "src/components/GiftCardForm.tsx": sfGiftCardFormV1,
        "src/pages/Checkout.tsx": sfCheckoutV1,
      },
    },
    {
      ...JUN,
      message: "api: report 5xx responses to Sentry once, tagged with the API path (#186)",
      date: daysAgo(8.3),
      files: { "src/api/client.ts": sfClientV2 },
    },
    {
      ...MAYA,
      message: "checkout: show remaining gift card balance after redeeming (#190)",
      date: daysAgo(3.2),
      files: { "src/pages/Checkout.tsx": sfCheckoutV3 },
    },
  ],
};

// ---- orders-api (Node, Express) --------------------------------------------------------------------------

const apiPackage = (version: string) =>
  code(`
{
  "name": "@acme/orders-api",
  "private": true,
  "version": "${version}",
  "type": "commonjs",
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
    "@types/pg": "^8.11.10",
    "typescript": "^5.6.3"
  }
}
`);

const apiServerV0 = code(`
import "./instrument";
import * as Sentry from "@sentry/node";
import express from "express";
import pinoHttp from "pino-http";
import { carts } from "./routes/carts";

const app = express();
app.use(express.json());
app.use(pinoHttp());
app.use(carts);

Sentry.setupExpressErrorHandler(app);
app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
  res.status(500).json({ error: "internal error" });
});

app.listen(Number(process.env.PORT ?? 8080));
`);

const apiServerV1 = code(`
import "./instrument";
import * as Sentry from "@sentry/node";
import express from "express";
import pinoHttp from "pino-http";
import { HttpError } from "./errors";
import { carts } from "./routes/carts";
import { giftCards } from "./routes/gift-cards";

const app = express();
app.use(express.json());
app.use(pinoHttp());
app.use(carts);
app.use(giftCards);

Sentry.setupExpressErrorHandler(app, {
  shouldHandleError: (err) => !(err instanceof HttpError) || err.status >= 500,
});
app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
  if (err instanceof HttpError) {
    res.status(err.status).json({ error: err.message });
    return;
  }
  res.status(500).json({ error: "internal error" });
});

app.listen(Number(process.env.PORT ?? 8080));
`);

const apiServerV4 = code(`
import "./instrument";
import { randomUUID } from "node:crypto";
import * as Sentry from "@sentry/node";
import express from "express";
import pinoHttp from "pino-http";
import { HttpError } from "./errors";
import { carts } from "./routes/carts";
import { giftCards } from "./routes/gift-cards";

const app = express();
app.use(express.json());
app.use(pinoHttp({ genReqId: (req) => req.headers["x-request-id"]?.toString() ?? randomUUID() }));
app.use(carts);
app.use(giftCards);

Sentry.setupExpressErrorHandler(app, {
  shouldHandleError: (err) => !(err instanceof HttpError) || err.status >= 500,
});
app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
  if (err instanceof HttpError) {
    res.status(err.status).json({ error: err.message });
    return;
  }
  res.status(500).json({ error: "internal error" });
});

app.listen(Number(process.env.PORT ?? 8080));
`);

const apiInstrument = code(`
import * as Sentry from "@sentry/node";

Sentry.init({
  dsn: process.env.SENTRY_DSN,
  release: process.env.RELEASE,
  environment: process.env.APP_ENV ?? "development",
  tracesSampleRate: 0.25,
});
`);

const apiErrors = code(`
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "HttpError";
  }
}
`);

const apiPool = code(`
import { Pool } from "pg";

export const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: 10,
  idleTimeoutMillis: 30_000,
});
`);

const apiCartsDb = code(`
import { pool } from "./pool";

export interface CartRow {
  id: string;
  currency: string;
  totalCents: number;
}

export async function loadCart(cartId: string): Promise<CartRow> {
  const { rows } = await pool.query(
    "SELECT id, currency, total_cents FROM carts WHERE id = $1 AND status = 'open'",
    [cartId],
  );
  const row = rows[0];
  if (!row) throw new Error("cart " + cartId + " not found or not open");
  return { id: row.id, currency: row.currency, totalCents: row.total_cents };
}

export async function applyGiftCardToCart(cartId: string, cardId: string, amountCents: number): Promise<number> {
  const { rows } = await pool.query(
    "UPDATE carts SET gift_card_id = $2, gift_card_cents = $3, total_cents = total_cents - $3 WHERE id = $1 RETURNING total_cents",
    [cartId, cardId, amountCents],
  );
  return rows[0].total_cents;
}
`);

const apiCartsRoute = code(`
import { Router } from "express";
import { loadCart } from "../db/carts";

export const carts = Router();

carts.get("/v1/carts/:id", async function getCartHandler(req, res) {
  res.json(await loadCart(req.params.id));
});
`);

const apiGiftCardsDbV1 = code(`
import { pool } from "./pool";

export interface GiftCard {
  id: string;
  code: string;
  balanceCents: number;
  currency: string;
  expiresAt: Date;
}

export async function findCardByCode(code: string): Promise<GiftCard | null> {
  const { rows } = await pool.query(
    "SELECT id, code, balance_cents, currency, expires_at FROM gift_cards WHERE code = $1",
    [code],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    id: row.id,
    code: row.code,
    balanceCents: row.balance_cents,
    currency: row.currency,
    expiresAt: row.expires_at,
  };
}

/** Debits atomically; returns the remaining balance. */
export async function debitCard(id: string, amountCents: number): Promise<number> {
  const { rows } = await pool.query(
    "UPDATE gift_cards SET balance_cents = balance_cents - $2 WHERE id = $1 AND balance_cents >= $2 RETURNING balance_cents",
    [id, amountCents],
  );
  if (!rows[0]) throw new Error("gift card " + id + " balance changed concurrently");
  return rows[0].balance_cents;
}
`);

const apiGiftCardsDbV2 = code(`
import { pool } from "./pool";

export interface GiftCard {
  id: string;
  code: string;
  balanceCents: number;
  currency: string;
  expiresAt: Date;
  /** "legacy_pos" cards were imported from the old till system (see scripts/import-legacy-cards.ts). */
  source: "online" | "legacy_pos";
}

export async function findCardByCode(code: string): Promise<GiftCard | null> {
  const { rows } = await pool.query(
    "SELECT id, code, balance_cents, currency, expires_at, source FROM gift_cards WHERE code = $1",
    [code],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    id: row.id,
    code: row.code,
    balanceCents: row.balance_cents,
    currency: row.currency,
    expiresAt: row.expires_at,
    source: row.source,
  };
}

/** Debits atomically; returns the remaining balance. */
export async function debitCard(id: string, amountCents: number): Promise<number> {
  const { rows } = await pool.query(
    "UPDATE gift_cards SET balance_cents = balance_cents - $2 WHERE id = $1 AND balance_cents >= $2 RETURNING balance_cents",
    [id, amountCents],
  );
  if (!rows[0]) throw new Error("gift card " + id + " balance changed concurrently");
  return rows[0].balance_cents;
}
`);

const apiImportScript = code(`
/**
 * One-off import of gift cards sold at the tills (old POS export, CSV). POS cards never expire, so
 * expires_at is left NULL for them; online cards keep their 3-year expiry.
 *
 *   DATABASE_URL=... node dist/scripts/import-legacy-cards.js pos-cards.csv
 */
import { readFileSync } from "node:fs";
import { pool } from "../src/db/pool";

async function main(file: string) {
  const rows = readFileSync(file, "utf8").trim().split("\\n").slice(1);
  for (const row of rows) {
    const [code, balance, currency] = row.split(",");
    await pool.query(
      "INSERT INTO gift_cards (code, balance_cents, currency, expires_at, source) VALUES ($1, $2, $3, NULL, 'legacy_pos') ON CONFLICT (code) DO NOTHING",
      [code, Math.round(Number(balance) * 100), currency],
    );
  }
  console.log("imported " + rows.length + " legacy cards");
  await pool.end();
}

main(process.argv[2] ?? "pos-cards.csv");
`);

const apiGiftCardsServiceV1 = code(`
import { applyGiftCardToCart, loadCart } from "../db/carts";
import { debitCard, findCardByCode } from "../db/gift-cards";
import { HttpError } from "../errors";

interface Money {
  amountCents: number;
  currency: string;
}

export interface Redemption {
  cartId: string;
  applied: Money;
  remainingBalance: Money;
  total: Money;
}

export async function redeem(cartId: string, code: string): Promise<Redemption> {
  const card = await findCardByCode(code);
  if (!card) throw new HttpError(404, "gift card not found");
  const cart = await loadCart(cartId);
  if (cart.currency !== card.currency) throw new HttpError(422, "gift card currency does not match the cart");
  const amountCents = Math.min(card.balanceCents, cart.totalCents);
  const remaining = await debitCard(card.id, amountCents);
  const total = await applyGiftCardToCart(cart.id, card.id, amountCents);
  return {
    cartId: cart.id,
    applied: { amountCents, currency: cart.currency },
    remainingBalance: { amountCents: remaining, currency: card.currency },
    total: { amountCents: total, currency: cart.currency },
  };
}
`);

const apiGiftCardsServiceV3 = code(`
import * as Sentry from "@sentry/node";
import { applyGiftCardToCart, loadCart } from "../db/carts";
import { debitCard, findCardByCode } from "../db/gift-cards";
import { HttpError } from "../errors";

interface Money {
  amountCents: number;
  currency: string;
}

export interface Redemption {
  cartId: string;
  applied: Money;
  remainingBalance: Money;
  total: Money;
}

export async function redeem(cartId: string, code: string): Promise<Redemption> {
  const card = await findCardByCode(code);
  if (!card) throw new HttpError(404, "gift card not found");
  Sentry.setTag("gift_card.source", card.source);
  if (card.expiresAt.getTime() < Date.now()) {
    throw new HttpError(422, "gift card expired on " + card.expiresAt.toISOString().slice(0, 10));
  }
  const cart = await loadCart(cartId);
  if (cart.currency !== card.currency) throw new HttpError(422, "gift card currency does not match the cart");
  const amountCents = Math.min(card.balanceCents, cart.totalCents);
  const remaining = await debitCard(card.id, amountCents);
  const total = await applyGiftCardToCart(cart.id, card.id, amountCents);
  return {
    cartId: cart.id,
    applied: { amountCents, currency: cart.currency },
    remainingBalance: { amountCents: remaining, currency: card.currency },
    total: { amountCents: total, currency: cart.currency },
  };
}
`);

const apiGiftCardsRoute = code(`
import { Router } from "express";
import { redeem } from "../services/gift-cards";

export const giftCards = Router();

giftCards.post("/v1/gift-cards/redeem", async function redeemHandler(req, res) {
  const { cartId, code } = (req.body ?? {}) as { cartId?: string; code?: string };
  if (!cartId || !code) {
    res.status(400).json({ error: "cartId and code are required" });
    return;
  }
  req.log.info({ cartId, code: code.slice(0, 2) + "****" + code.slice(-4) }, "redeeming gift card");
  const redemption = await redeem(cartId, code);
  res.json(redemption);
});
`);

const ordersRepo: RepoSpec = {
  name: API_REPO,
  projects: [ORDERS.slug],
  commits: [
    {
      ...OMAR,
      message: "orders-api: carts endpoint",
      date: daysAgo(44),
      files: {
        "package.json": apiPackage("1.16.0"),
        "src/instrument.ts": apiInstrument,
        "src/server.ts": apiServerV0,
        "src/db/pool.ts": apiPool,
        "src/db/carts.ts": apiCartsDb,
        "src/routes/carts.ts": apiCartsRoute,
      },
    },
    {
      ...OMAR,
      message:
        "gift-cards: redeem endpoint (#221)\n\nPOST /v1/gift-cards/redeem debits the card and applies it to the open cart.",
      date: daysAgo(20),
      files: {
        "src/errors.ts": apiErrors,
        "src/server.ts": apiServerV1,
        "src/db/gift-cards.ts": apiGiftCardsDbV1,
        "src/services/gift-cards.ts": apiGiftCardsServiceV1,
        "src/routes/gift-cards.ts": apiGiftCardsRoute,
      },
    },
    {
      ...JUN,
      message:
        "gift-cards: import cards sold at the tills from the old POS (#228)\n\nAdds gift_cards.source. POS cards never expire, so their expires_at is NULL.",
      date: daysAgo(9),
      files: {
        "scripts/import-legacy-cards.ts": apiImportScript,
        "src/db/gift-cards.ts": apiGiftCardsDbV2,
      },
    },
    {
      ...OMAR,
      message: "gift-cards: reject expired cards with a 422 (#233)",
      date: daysAgo(2.1),
      files: { "src/services/gift-cards.ts": apiGiftCardsServiceV3 },
    },
    {
      ...JUN,
      message: "logging: propagate X-Request-Id into request logs (#235)",
      date: daysAgo(1.8),
      files: { "src/server.ts": apiServerV4, "package.json": apiPackage("1.19.0") },
    },
  ],
};

// ---- Sentry ----------------------------------------------------------------------------------------------

const SF_RELEASE = release({
  version: "storefront@2026.11.3",
  id: 51_200_301,
  project: STOREFRONT,
  repo: storefrontRepo,
  repoId: "61",
  commits: [2, 3],
  createdMs: ago(3 * DAY),
  newGroups: 1,
  lastEventMs: ago(6 * MIN),
});
const API_RELEASE = release({
  version: "orders-api@1.19.0",
  id: 51_200_417,
  project: ORDERS,
  repo: ordersRepo,
  repoId: "62",
  commits: [3, 4],
  createdMs: ago(36 * HOUR),
  newGroups: 1,
  lastEventMs: ago(6 * MIN),
});

const TRACE = hexId("s01:trace");
const SPAN_CLICK = hexId("s01:span:click", 16);
const SPAN_HTTP = hexId("s01:span:sf-http", 16);
const SPAN_SERVER = hexId("s01:span:api-server", 16);
const SPAN_SELECT = hexId("s01:span:api-select", 16);
const TX_CLICK = hexId("s01:tx:click");
const TX_API = hexId("s01:tx:api");
const SF_EVENT = hexId("s01:event:storefront");
const SF_EVENT_OLD = hexId("s01:event:storefront:old");
const API_EVENT = hexId("s01:event:api");
const SF_ISSUE = "7310021";
const API_ISSUE = "7310022";

const T_CLICK = ago(14 * MIN);
const T_HTTP = T_CLICK + 38;
const T_SERVER = T_HTTP + 21;
const T_SELECT: [number, number] = [T_SERVER + 4, T_SERVER + 11];
const T_API_ERROR = T_SERVER + 13;
const T_SERVER_END = T_SERVER + 19;
const T_HTTP_END = T_SERVER_END + 17;
const T_SF_ERROR = T_HTTP_END + 2;

const webpackFrame = (src: string, path: string, fn: string, at: string, colNo: number) =>
  sourceFrame({ src, at, fn, filename: `./${path}`, absPath: `webpack:///./${path}`, module: path, colNo });
const axiosFrame = (path: string, fn: string, lineNo: number, colNo: number) =>
  libraryFrame({
    filename: `./node_modules/axios/lib/${path}`,
    absPath: `webpack:///./node_modules/axios/lib/${path}`,
    module: `node_modules/axios/lib/${path.replace(/\.js$/, "")}`,
    fn,
    lineNo,
    colNo,
  });

function storefrontFrames(): Json[] {
  return [
    webpackFrame(
      sfGiftCardFormV1,
      "src/components/GiftCardForm.tsx",
      "handleSubmit",
      "await redeemGiftCard(cartId, code)",
      32,
    ),
    webpackFrame(sfGiftCardsApi, "src/api/giftCards.ts", "redeemGiftCard", "await request<Redemption>", 22),
    webpackFrame(sfClientV2, "src/api/client.ts", "request", "await http.request<T>", 20),
    axiosFrame("adapters/xhr.js", "XMLHttpRequest.onloadend", 103, 7),
    axiosFrame("core/settle.js", "settle", 19, 12),
  ];
}

function minifiedFrames(): Json[] {
  const min = (bundle: string, fn: string | null, colNo: number, inApp: boolean) => ({
    ...libraryFrame({
      filename: `/static/js/${bundle}.js`,
      absPath: `https://acme.shop/static/js/${bundle}.js`,
      fn,
      lineNo: 1,
      colNo,
    }),
    inApp,
  });
  return [
    min("main.91c4e02b", "s", 88213, true),
    min("main.91c4e02b", "Rn", 61877, true),
    min("main.91c4e02b", "On", 60410, true),
    min("vendors.5be1f7aa", "XMLHttpRequest.onloadend", 118402, false),
    min("vendors.5be1f7aa", null, 109655, false),
  ];
}

const UA =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

function storefrontEvent(id: string, ms: number, user: string, trace = TRACE): Json {
  const span = trace === TRACE ? SPAN_HTTP : hexId(`${trace}:http`, 16);
  const parent = trace === TRACE ? SPAN_CLICK : hexId(`${trace}:click`, 16);
  return errorEvent({
    id,
    issueId: SF_ISSUE,
    project: STOREFRONT,
    platform: "javascript",
    title: "AxiosError: Request failed with status code 500",
    culprit: "/checkout",
    location: "./src/api/client.ts",
    dateMs: ms,
    entries: [
      exceptionEntry([
        exceptionValue({
          type: "AxiosError",
          value: "Request failed with status code 500",
          mechanism: { type: "generic", handled: true },
          frames: storefrontFrames(),
          rawFrames: minifiedFrames(),
        }),
      ]),
      breadcrumbsEntry([
        breadcrumb(ms - 96 * SEC, "navigation", "navigation", null, { from: "/cart", to: "/checkout" }),
        breadcrumb(ms - 95 * SEC, "http", "xhr", null, {
          method: "GET",
          url: "https://api.acme.shop/v1/carts/crt_8Fh2kQ",
          status_code: 200,
        }),
        breadcrumb(
          ms - 21 * SEC,
          "default",
          "ui.input",
          "main.checkout > form.gift-card > input#gift-card-code",
        ),
        breadcrumb(ms - 76, "default", "ui.click", "main.checkout > form.gift-card > button[type=submit]"),
        breadcrumb(
          ms - 1,
          "http",
          "xhr",
          null,
          { method: "POST", url: "https://api.acme.shop/v1/gift-cards/redeem", status_code: 500 },
          "error",
        ),
      ]),
      requestEntry({
        method: null,
        url: "https://acme.shop/checkout",
        headers: [
          ["Referer", "https://acme.shop/cart"],
          ["User-Agent", UA],
        ],
      }),
    ],
    tags: {
      "api.path": "/v1/gift-cards/redeem",
      browser: "Chrome 131.0.0",
      "browser.name": "Chrome",
      environment: "production",
      handled: "yes",
      level: "error",
      mechanism: "generic",
      "os.name": "Windows",
      release: SF_RELEASE.version,
      transaction: "/checkout",
      url: "https://acme.shop/checkout",
      user: `id:${user}`,
    },
    contexts: {
      trace: {
        trace_id: trace,
        span_id: span,
        parent_span_id: parent,
        op: "http.client",
        status: "internal_error",
        origin: "auto.http.browser",
        sampled: true,
        type: "trace",
      },
      browser: { name: "Chrome", version: "131.0.0", type: "browser" },
      os: { name: "Windows", version: "10", type: "os" },
      AxiosError: {
        code: "ERR_BAD_RESPONSE",
        message: "Request failed with status code 500",
        name: "AxiosError",
        status: 500,
        type: "default",
      },
    },
    user: { id: user, email: null, username: null, ip_address: "198.51.100.23", name: null, geo: null },
    sdk: { name: "sentry.javascript.react", version: "9.30.0" },
    release: eventRelease(SF_RELEASE),
    metadata: {
      type: "AxiosError",
      value: "Request failed with status code 500",
      filename: "./src/api/client.ts",
      function: "request",
      in_app_frame_mix: "mixed",
    },
  });
}

function apiEvent(): Json {
  const nodeFrame = (src: string, path: string, fn: string, at: string, colNo: number) =>
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
  return errorEvent({
    id: API_EVENT,
    issueId: API_ISSUE,
    project: ORDERS,
    platform: "node",
    title: "TypeError: Cannot read properties of null (reading 'getTime')",
    culprit: "redeem(src/services/gift-cards)",
    location: "src/services/gift-cards.ts",
    dateMs: T_API_ERROR,
    entries: [
      exceptionEntry([
        exceptionValue({
          type: "TypeError",
          value: "Cannot read properties of null (reading 'getTime')",
          mechanism: { type: "auto.middleware.express", handled: false },
          frames: [
            libraryFrame({
              filename: "node:internal/process/task_queues",
              absPath: "node:internal/process/task_queues",
              module: "task_queues",
              fn: "process.processTicksAndRejections",
              lineNo: 105,
              colNo: 5,
            }),
            nodeFrame(
              apiGiftCardsRoute,
              "src/routes/gift-cards.ts",
              "redeemHandler",
              "await redeem(cartId, code)",
              22,
            ),
            nodeFrame(
              apiGiftCardsServiceV3,
              "src/services/gift-cards.ts",
              "redeem",
              "card.expiresAt.getTime()",
              22,
            ),
          ],
        }),
      ]),
      breadcrumbsEntry([
        breadcrumb(T_SERVER + 1, "default", "console", "redeeming gift card", { cartId: "crt_8Fh2kQ" }),
        breadcrumb(T_SELECT[1], "query", "query", null, {
          "db.system": "postgresql",
          query:
            "SELECT id, code, balance_cents, currency, expires_at, source FROM gift_cards WHERE code = $1",
        }),
      ]),
      requestEntry({
        method: "POST",
        url: "https://api.acme.shop/v1/gift-cards/redeem",
        headers: [
          ["Content-Type", "application/json"],
          ["Origin", "https://acme.shop"],
          ["User-Agent", UA],
          ["sentry-trace", `${TRACE}-${SPAN_HTTP}-1`],
        ],
        data: { cartId: "crt_8Fh2kQ", code: "[Filtered]" },
        inferredContentType: "application/json",
      }),
    ],
    tags: {
      environment: "production",
      "gift_card.source": "legacy_pos",
      handled: "no",
      level: "error",
      mechanism: "auto.middleware.express",
      release: API_RELEASE.version,
      "runtime.name": "node",
      server_name: "orders-api-6d9f7c8b4-qx2lm",
      transaction: "POST /v1/gift-cards/redeem",
      url: "https://api.acme.shop/v1/gift-cards/redeem",
    },
    contexts: {
      trace: {
        trace_id: TRACE,
        span_id: SPAN_SERVER,
        parent_span_id: SPAN_HTTP,
        op: "http.server",
        status: "internal_error",
        origin: "auto.http.otel.http",
        sampled: true,
        type: "trace",
      },
      runtime: { name: "node", version: "v20.18.1", type: "runtime" },
    },
    sdk: { name: "sentry.javascript.node", version: "9.30.0" },
    release: eventRelease(API_RELEASE),
    metadata: {
      type: "TypeError",
      value: "Cannot read properties of null (reading 'getTime')",
      filename: "src/services/gift-cards.ts",
      function: "redeem",
      in_app_frame_mix: "mixed",
    },
  });
}

const sfIssueRef = issueRef({
  eventId: SF_EVENT,
  issueId: SF_ISSUE,
  shortId: "STOREFRONT-2M",
  project: STOREFRONT,
  title: "AxiosError: Request failed with status code 500",
  culprit: "/checkout",
  transaction: "/checkout",
  ms: T_SF_ERROR,
});
const apiIssueRef = issueRef({
  eventId: API_EVENT,
  issueId: API_ISSUE,
  shortId: "ORDERS-API-5T",
  project: ORDERS,
  title: "TypeError: Cannot read properties of null (reading 'getTime')",
  culprit: "redeem(src/services/gift-cards)",
  transaction: "POST /v1/gift-cards/redeem",
  ms: T_API_ERROR,
});

function traceNodes(): Json[] {
  const sf = {
    project: STOREFRONT,
    sdk: "sentry.javascript.react",
    transaction: "/checkout",
    txId: TX_CLICK,
  };
  const api = {
    project: ORDERS,
    sdk: "sentry.javascript.node",
    transaction: "POST /v1/gift-cards/redeem",
    txId: TX_API,
  };
  return [
    spanNode({
      ...sf,
      id: SPAN_CLICK,
      parent: null,
      op: "ui.action.click",
      description: "main.checkout > form.gift-card > button[type=submit]",
      start: T_CLICK,
      end: T_SF_ERROR + 40,
      isTransaction: true,
      children: [
        spanNode({
          ...sf,
          id: SPAN_HTTP,
          parent: SPAN_CLICK,
          op: "http.client",
          description: "POST https://api.acme.shop/v1/gift-cards/redeem",
          start: T_HTTP,
          end: T_HTTP_END,
          status: "internal_error",
          attributes: { "http.request.method": "POST", "http.response.status_code": 500 },
          errors: [sfIssueRef],
          children: [
            spanNode({
              ...api,
              id: SPAN_SERVER,
              parent: SPAN_HTTP,
              op: "http.server",
              description: "POST /v1/gift-cards/redeem",
              start: T_SERVER,
              end: T_SERVER_END,
              isTransaction: true,
              status: "internal_error",
              attributes: { "http.request.method": "POST", "http.response.status_code": 500 },
              errors: [apiIssueRef],
              children: [
                spanNode({
                  ...api,
                  id: SPAN_SELECT,
                  parent: SPAN_SERVER,
                  op: "db",
                  description:
                    "SELECT id, code, balance_cents, currency, expires_at, source FROM gift_cards WHERE code = $1",
                  start: T_SELECT[0],
                  end: T_SELECT[1],
                  attributes: { "db.system": "postgresql", "db.name": "orders" },
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
  const api = { project: ORDERS.slug, trace: TRACE, attrs: { "http.route": "/v1/gift-cards/redeem" } };
  return logRows([
    {
      ...api,
      ms: T_SERVER + 1,
      severity: "info",
      message: "redeeming gift card",
      span: SPAN_SERVER,
      attrs: { cartId: "crt_8Fh2kQ", code: "GC****9XPD" },
    },
    {
      ...api,
      ms: T_API_ERROR + 1,
      severity: "error",
      message:
        "unhandled error in POST /v1/gift-cards/redeem: TypeError: Cannot read properties of null (reading 'getTime')",
      span: SPAN_SERVER,
    },
    { ...api, ms: T_SERVER_END, severity: "info", message: "POST /v1/gift-cards/redeem 500 in 19ms" },
    {
      project: STOREFRONT.slug,
      trace: TRACE,
      ms: T_SF_ERROR + 3,
      severity: "warn",
      message: "gift card could not be applied (HTTP 500)",
    },
  ]);
}

const first = ago(35 * HOUR);
const sfTags = [
  tagDistribution("environment", [["production", 213, 35 * HOUR, 6 * MIN]]),
  tagDistribution("release", [[SF_RELEASE.version, 213, 35 * HOUR, 6 * MIN]]),
  tagDistribution("api.path", [["/v1/gift-cards/redeem", 213, 35 * HOUR, 6 * MIN]]),
  tagDistribution("browser.name", [
    ["Chrome", 131, 35 * HOUR, 6 * MIN],
    ["Safari", 58, 34 * HOUR, 40 * MIN],
    ["Firefox", 24, 30 * HOUR, 3 * HOUR],
  ]),
  tagDistribution("transaction", [["/checkout", 213, 35 * HOUR, 6 * MIN]]),
];
const apiTags = [
  tagDistribution("environment", [["production", 221, 35 * HOUR, 6 * MIN]]),
  tagDistribution("release", [[API_RELEASE.version, 221, 35 * HOUR, 6 * MIN]]),
  tagDistribution("gift_card.source", [["legacy_pos", 221, 35 * HOUR, 6 * MIN]]),
  tagDistribution("transaction", [["POST /v1/gift-cards/redeem", 221, 35 * HOUR, 6 * MIN]]),
];

export const s01: CorpusScenario = {
  name: "s01-frontend-backend-500",
  story:
    "Shoppers see 'This gift card could not be applied' at checkout; the storefront reports STOREFRONT-2M, an " +
    "AxiosError 500 captured in src/api/client.ts. Nothing in the browser stack is wrong: it only shows the " +
    "request failing. The event's trace shows the POST /v1/gift-cards/redeem http.client span answered 500 by " +
    "orders-api, whose server span carries ORDERS-API-5T: TypeError: Cannot read properties of null (reading " +
    "'getTime') in redeem() (src/services/gift-cards.ts). Its gift_card.source tag is legacy_pos on every event. " +
    "orders-api@1.19.0, deployed 36 hours ago, shipped 'gift-cards: reject expired cards with a 422 (#233)', " +
    "which calls card.expiresAt.getTime() unconditionally, while #228 had imported POS cards with expires_at " +
    "NULL (they never expire) and the GiftCard type still claims expiresAt is a Date. The fix belongs in " +
    "redeem(): treat a null expiry as never expiring (and make the type Date | null).",
  issue: "STOREFRONT-2M",
  repos: [storefrontRepo, ordersRepo],
  expected: {
    verdict: "in_app",
    repo: API_REPO,
    file: "src/services/gift-cards.ts",
    function: "redeem",
    introducedBy: { repo: API_REPO, commit: 3 },
  },
  sentry: {
    organization: organization(),
    projects: [projectJson(STOREFRONT, SF_RELEASE.version), projectJson(ORDERS, API_RELEASE.version)],
    issues: [
      {
        issue: issueDetails({
          id: SF_ISSUE,
          shortId: "STOREFRONT-2M",
          project: STOREFRONT,
          title: "AxiosError: Request failed with status code 500",
          culprit: "/checkout",
          platform: "javascript",
          metadata: {
            type: "AxiosError",
            value: "Request failed with status code 500",
            filename: "./src/api/client.ts",
            function: "request",
            in_app_frame_mix: "mixed",
          },
          isUnhandled: false,
          priority: "medium",
          count: 213,
          userCount: 168,
          firstSeenMs: first + 40 * SEC,
          lastSeenMs: T_SF_ERROR,
          firstRelease: releaseStub(SF_RELEASE),
          lastRelease: releaseStub(SF_RELEASE),
          tagDistributions: sfTags,
        }),
        events: chainEvents([
          storefrontEvent(SF_EVENT_OLD, ago(26 * HOUR), "cus_5a01c3", hexId("s01:trace:old")),
          storefrontEvent(SF_EVENT, T_SF_ERROR, "cus_91d2e7"),
        ]),
        recommendedEventId: SF_EVENT,
        tags: sfTags,
      },
      {
        issue: issueDetails({
          id: API_ISSUE,
          shortId: "ORDERS-API-5T",
          project: ORDERS,
          title: "TypeError: Cannot read properties of null (reading 'getTime')",
          culprit: "redeem(src/services/gift-cards)",
          platform: "node",
          metadata: {
            type: "TypeError",
            value: "Cannot read properties of null (reading 'getTime')",
            filename: "src/services/gift-cards.ts",
            function: "redeem",
            in_app_frame_mix: "mixed",
          },
          count: 221,
          userCount: 171,
          firstSeenMs: first,
          lastSeenMs: T_API_ERROR,
          firstRelease: releaseStub(API_RELEASE),
          lastRelease: releaseStub(API_RELEASE),
          tagDistributions: apiTags,
        }),
        events: chainEvents([apiEvent()]),
        tags: apiTags,
      },
    ],
    traces: { [TRACE]: { meta: traceMeta(traceNodes(), 4), nodes: traceNodes() } },
    logs: logs(),
    ...releasesOf([SF_RELEASE, API_RELEASE]),
  },
};
