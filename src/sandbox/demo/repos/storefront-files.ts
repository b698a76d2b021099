/**
 * acme/storefront at HEAD. STOREFRONT-3F's frames: `src/pages/Checkout.tsx` submitOrder (53–63, the
 * createOrder call on 58), `src/api/orders.ts` createOrder (9–19, request on 14) and `src/api/client.ts`
 * request (23–33, axios on 28).
 */

export const CHECKOUT = `import { useState } from "react";
import toast from "react-hot-toast";
import { useNavigate } from "react-router-dom";
import { createOrder } from "../api/orders";
import { type Cart, useCart } from "../cart/useCart";

type Status = "idle" | "submitting" | "failed";

const MAX_COUPONS = 2;

function CouponField({ cart }: { cart: Cart }) {
  const [code, setCode] = useState("");
  const full = cart.coupons.length >= MAX_COUPONS;

  async function apply(event: React.FormEvent) {
    event.preventDefault();
    if (!code.trim() || full) return;
    try {
      await cart.addCoupon(code.trim());
      setCode("");
    } catch {
      toast.error(\`\${code} is not a valid coupon\`);
    }
  }

  return (
    <form onSubmit={apply}>
      <input
        id="coupon-code"
        value={code}
        onChange={(e) => setCode(e.target.value)}
        placeholder={full ? "Coupon limit reached" : "Coupon code"}
        disabled={full}
      />
      <button type="submit" disabled={full || !code.trim()}>Apply</button>
      <ul className="coupons">
        {cart.coupons.map((c) => (
          <li key={c}>{c}</li>
        ))}
      </ul>
    </form>
  );
}

export function Checkout() {
  const cart = useCart();
  const { items, coupons, currency } = cart;
  const [status, setStatus] = useState<Status>("idle");
  const count = items.reduce((n, item) => n + item.qty, 0);
  const money = new Intl.NumberFormat("en-DE", { style: "currency", currency });
  const subtotal = items.reduce((sum, item) => sum + item.qty * item.unitPrice, 0);
  const placing = status === "submitting";
  const navigate = useNavigate();

  async function submitOrder() {
    setStatus("submitting");
    try {
      const order = await createOrder({ items, coupons, currency });
      navigate(\`/orders/\${order.id}/confirmation\`);
    } catch (err) {
      setStatus("failed");
      toast.error("We couldn't place your order. Please try again.");
    }
  }

  return (
    <main className="checkout">
      <h1>Checkout</h1>
      <p>
        {count} items, {money.format(subtotal)} before coupons
      </p>
      <CouponField cart={cart} />
      <button id="place-order" onClick={submitOrder} disabled={placing || count === 0}>
        {placing ? "Placing order…" : "Place order"}
      </button>
    </main>
  );
}
`;

export const ORDERS = `/**
 * Orders endpoints as checkout and the order pages call them.
 *
 * The API owns pricing: coupons, currency conversion and totals are computed server-side, so nothing
 * here adds anything up. Amounts in responses are decimals in the order's currency.
 */

import type { CartItem } from "../cart/useCart";
import { request } from "./client";
import type { CartSnapshot, Order } from "./types";

export async function createOrder(cart: CartSnapshot): Promise<Order> {
  const body = { currency: cart.currency, items: cart.items.map(toLineItem), coupons: cart.coupons };
  return request<Order>("POST", "/v1/orders", body);
}

export async function getOrder(id: string): Promise<Order> {
  return request<Order>(\`GET\`, \`/v1/orders/\${id}\`);
}

export async function listOrders(): Promise<Order[]> {
  const { orders } = await request<{ orders: Order[] }>("GET", "/v1/orders");
  return orders;
}

function toLineItem(item: CartItem): { sku: string; qty: number } {
  return { sku: item.sku, qty: item.qty };
}
`;

export const CLIENT = `import * as Sentry from "@sentry/react";
import axios from "axios";

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export const API_URL: string = import.meta.env.VITE_API_URL ?? "https://api.acme.shop";

/** Errors keep axios's shape: callers read \`statusOf(err)\` and decide what to show. */
export function statusOf(err: unknown): number | null {
  return axios.isAxiosError(err) ? (err.response?.status ?? null) : null;
}

/**
 * The one axios instance the storefront talks to the API with. The session cookie travels with every
 * request, and requests give up after 10 s so checkout never spins forever.
 */
const http = axios.create({
  baseURL: API_URL,
  timeout: 10_000,
  withCredentials: true,
  xsrfCookieName: "csrf",
  xsrfHeaderName: "X-CSRF-Token",
  headers: { "Content-Type": "application/json" },
});

export async function request<T>(method: Method, path: string, data?: unknown): Promise<T> {
  try {
    const res = await http.request<T>({ method, url: path, data });
    return res.data;
  } catch (err) {
    Sentry.captureException(err, { tags: { "api.path": path } });
    throw err;
  }
}
`;

export const TYPES = `import type { CartItem } from "../cart/useCart";

/** What checkout sends to POST /v1/orders. */
export interface CartSnapshot {
  items: CartItem[];
  /** Coupon codes as the customer typed them, in order; the API normalises them. */
  coupons: string[];
  currency: string;
}

export interface Order {
  id: string;
  status: "pending" | "paid" | "shipped" | "cancelled";
  total: number;
  createdAt: string;
  items: Array<{ sku: string; qty: number; unitPrice: number }>;
}
`;

export const USE_CART = `import { useCallback, useEffect, useState } from "react";
import { request } from "../api/client";

export interface CartItem {
  sku: string;
  name: string;
  qty: number;
  /** Decimal, in the cart's currency. */
  unitPrice: number;
}

interface CartState {
  items: CartItem[];
  coupons: string[];
  currency: string;
}

export interface Cart extends CartState {
  loading: boolean;
  addCoupon(code: string): Promise<void>;
  reload(): Promise<void>;
}

const EMPTY: CartState = { items: [], coupons: [], currency: "EUR" };

export function useCart(): Cart {
  const [state, setState] = useState<CartState>(EMPTY);
  const [loading, setLoading] = useState(true);

  const reload = useCallback(async () => {
    setState(await request<CartState>("GET", "/v1/cart"));
    setLoading(false);
  }, []);

  useEffect(() => {
    void reload();
    const onFocus = () => void reload();
    window.addEventListener("focus", onFocus);
    return () => window.removeEventListener("focus", onFocus);
  }, [reload]);

  const addCoupon = useCallback(async (code: string) => {
    const next = await request<CartState>("POST", "/v1/cart/coupons", { code });
    const others = next.coupons.filter((c) => c !== code);
    console.info(\`[cart] coupon \${code} applied\${others.length ? \` (stacked with \${others.join(", ")})\` : ""}\`);
    setState(next);
  }, []);

  return { ...state, loading, addCoupon, reload };
}
`;

export const MAIN = `import * as Sentry from "@sentry/react";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { Toaster } from "react-hot-toast";
import { BrowserRouter, Route, Routes } from "react-router-dom";
import { Checkout } from "./pages/Checkout";

Sentry.init({
  dsn: import.meta.env.VITE_SENTRY_DSN,
  release: \`storefront@\${import.meta.env.VITE_VERSION}\`,
  integrations: [Sentry.browserTracingIntegration()],
  tracesSampleRate: 0.25,
  tracePropagationTargets: ["https://api.acme.shop"],
});

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <BrowserRouter>
      <Routes>
        <Route path="/checkout" element={<Checkout />} />
      </Routes>
      <Toaster position="bottom-center" />
    </BrowserRouter>
  </StrictMode>,
);
`;
