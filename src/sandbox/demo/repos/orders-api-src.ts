/**
 * acme/orders-api at HEAD: the files ORDERS-API-7A's and ORDERS-API-7D's frames point into. Line numbers
 * matter: `src/pricing/discounts.ts` applyCoupon sits on 35–46 (throws on 41), `priceOrder` on 58–67
 * (calls applyCoupon on 64), `listOrders` on 69 (its loop on 72), `loadItems`' query on 88, `serializeOrder`
 * around 104, and `src/routes/orders.ts` createOrder on 22 (priceOrder call on 27) and getOrders' call on 41.
 */

export const DISCOUNTS = `import { db } from "../db.js";

export interface Coupon {
  code: string;
  /** Applied on top of another coupon in the same order. */
  stacked?: boolean;
}

export interface CouponRule {
  percent: number;
  stackable: boolean;
}

/** Coupon rules by normalised code, as loadCouponRules returns them. */
export type CouponRules = Record<string, CouponRule>;

export class CouponError extends Error {
  readonly status = 422;
}

const RULE_SQL = "SELECT id, code, percent, stackable FROM coupons WHERE code = $1";

export async function loadCouponRules(coupons: Coupon[]): Promise<CouponRules> {
  const rules: CouponRules = {};
  for (const coupon of coupons) {
    const code = normaliseCode(coupon.code);
    const { rows } = await db.query<CouponRule>(RULE_SQL, [code]);
    const row = rows[0];
    if (row) rules[code] = { percent: Number(row.percent), stackable: row.stackable };
  }
  return rules;
}

/** Applies one coupon to a running total; stacked coupons apply in the order they were entered. */
export function applyCoupon(total: number, coupon: Coupon, rules: CouponRules): number {
  if (!coupon.code) return total;
  const rule = rules[coupon.code.toUpperCase()];
  if (coupon.stacked && rule?.stackable === false) {
    throw new CouponError(\`coupon \${coupon.code} cannot be stacked\`);
  }
  return total * (1 - rule.percent / 100);
}

export function normaliseCode(code: string): string {
  return code.trim().toUpperCase().replace(/[^A-Z0-9]/g, "");
}
`;

export const ORDER_SERVICE = `import { payments } from "../clients.js";
import { db } from "../db.js";
import { log } from "../lib/log.js";
import { applyCoupon, type Coupon, loadCouponRules } from "../pricing/discounts.js";
import { convert, sumLineItems } from "../pricing/prices.js";

const LIST_SQL =
  "SELECT id, status, total_cents, created_at FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 12";

export interface LineItem {
  sku: string;
  qty: number;
}

export interface OrderDraft {
  currency: string;
  items: LineItem[];
  coupons: Coupon[];
}

export interface Customer {
  id: string;
  email: string;
}

export interface PricedOrder extends OrderDraft {
  customerId: string;
  /** EUR, after coupons. */
  subtotal: number;
  /** In the order's currency. */
  total: number;
}

export interface OrderRow {
  id: string;
  status: string;
  total_cents: number;
  created_at: Date;
}

export interface OrderItemRow {
  id: string;
  order_id: string;
  sku: string;
  qty: number;
  unit_price_cents: number;
}

export interface OrderWithItems {
  id: string;
  status: string;
  total: number;
  createdAt: string;
  items: Array<{ sku: string; qty: number; unitPrice: number }>;
}

/** Coupons apply to the EUR subtotal; the total is then converted to the order's currency. */
export async function priceOrder(draft: OrderDraft, customer: Customer): Promise<PricedOrder> {
  const rules = await loadCouponRules(draft.coupons);
  const rates = await payments.getRates(draft.currency);
  let subtotal = sumLineItems(draft.items);
  for (const coupon of draft.coupons) {
    if (!rules[coupon.code]) log.warn(\`coupon rule not found for \${coupon.code}, falling back\`);
    subtotal = applyCoupon(subtotal, coupon, rules);
  }
  return { ...draft, customerId: customer.id, subtotal, total: convert(subtotal, rates, draft.currency) };
}

export async function listOrders(customerId: string): Promise<OrderWithItems[]> {
  const { rows } = await db.query<OrderRow>(LIST_SQL, [customerId]);
  const result: OrderWithItems[] = [];
  for (const row of rows) result.push(serializeOrder({ ...row, items: await loadItems(row.id) }));
  return result;
}

export async function getOrder(id: string): Promise<OrderWithItems | null> {
  const { rows } = await db.query<OrderRow>(
    "SELECT id, status, total_cents, created_at FROM orders WHERE id = $1",
    [id],
  );
  const row = rows[0];
  return row ? serializeOrder({ ...row, items: await loadItems(row.id) }) : null;
}

// One query per order: fine for a single order and for the 12 a list page shows; batch with
// "order_id = ANY($1)" if pages grow.
async function loadItems(orderId: string): Promise<OrderItemRow[]> {
  const { rows } = await db.query<OrderItemRow>("SELECT * FROM order_items WHERE order_id = $1", [orderId]);
  return rows;
}

/** Minor units to a decimal amount: 4999 → 49.99. */
const toAmount = (cents: number): number => Math.round(cents) / 100;

/** The API shape of an order: camelCase, decimal amounts, ISO dates. */
export function serializeOrder(order: OrderRow & { items: OrderItemRow[] }): OrderWithItems {
  return {
    id: order.id,
    status: order.status,
    total: toAmount(order.total_cents),
    createdAt: order.created_at.toISOString(),
    items: order.items.map((item) => ({
      sku: item.sku,
      qty: item.qty,
      unitPrice: toAmount(item.unit_price_cents),
    })),
  };
}
`;

export const ROUTES = `import type { Request, Response } from "express";
import { z } from "zod";
import { customers } from "../clients.js";
import { orders } from "../db.js";
import { log } from "../lib/log.js";
import { getOrder, listOrders, type OrderDraft, priceOrder, serializeOrder } from "../services/order-service.js";

const OrderBody = z.object({
  currency: z.string().length(3),
  items: z.array(z.object({ sku: z.string(), qty: z.number().int().positive() })).min(1),
  coupons: z.array(z.string().min(1)).max(3).default([]),
});

/** POST /v1/orders body → draft. The second and later coupons are stacked on the first. */
export function parseOrderDraft(body: unknown): OrderDraft {
  const { currency, items, coupons } = OrderBody.parse(body);
  const stacked = coupons.map((code, i) => ({ code, stacked: i > 0 }));
  return { currency: currency.toUpperCase(), items, coupons: stacked };
}

/** POST /v1/orders */
export async function createOrder(req: Request, res: Response): Promise<void> {
  const draft = parseOrderDraft(req.body);
  const customer = await customers.get(req.auth.customerId);
  log.info("creating order", { customerId: customer.id, items: draft.items.length });

  const priced = await priceOrder(draft, customer);
  const order = await orders.insert(priced);

  res.status(201).json(serializeOrder(order));
}

/** GET /v1/orders?customer=…: the latest orders, newest first, with their items. */
export async function getOrders(req: Request, res: Response): Promise<void> {
  const customerId = typeof req.query.customer === "string" ? req.query.customer : req.auth.customerId;
  if (customerId !== req.auth.customerId && !req.auth.staff) {
    res.status(403).json({ error: "forbidden" });
    return;
  }

  const result = await listOrders(customerId);
  res.json({ orders: result });
}

/** GET /v1/orders/:id */
export async function getOrderById(req: Request, res: Response): Promise<void> {
  const order = await getOrder(String(req.params.id));
  if (!order) {
    res.status(404).json({ error: "order not found" });
    return;
  }
  res.json(order);
}
`;
