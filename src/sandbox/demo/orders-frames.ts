import type { Json } from "../scenario.ts";
import { frame, source } from "./common.ts";

/**
 * ORDERS-API-7A's stack, caller → callee: express → createOrder → priceOrder → applyCoupon (the throw site).
 * The throw frame's `vars` show the bug: rules are keyed "SPRING24" while applyCoupon looks up "SPRING-24".
 */

const express = (file: string, fn: string, lineNo: number, colNo: number, lines: string[]) =>
  frame({
    filename: `node_modules/express/lib/router/${file}.js`,
    absPath: `/app/node_modules/express/lib/router/${file}.js`,
    module: `express.lib.router:${file}`,
    fn,
    lineNo,
    colNo,
    inApp: false,
    context: source(lineNo, lines, 5),
  });

export function ordersFrames(coupon: string, subtotal: number): Json[] {
  return [
    express("route", "next", 149, 13, [
      "    if (layer.method && layer.method !== method) {",
      "      next(err);",
      "    } else if (err) {",
      "      layer.handle_error(err, req, res, next);",
      "    } else {",
      "      layer.handle_request(req, res, next);",
      "    }",
      "  }",
      "",
      "  next();",
      "};",
    ]),
    express("layer", "Layer.handle [as handle_request]", 95, 5, [
      "  if (fn.length > 3) {",
      "    // not a standard request handler",
      "    return next();",
      "  }",
      "  try {",
      "    fn(req, res, next);",
      "  } catch (err) {",
      "    next(err);",
      "  }",
      "};",
      "",
    ]),
    frame({
      filename: "src/routes/orders.ts",
      absPath: "/app/src/routes/orders.ts",
      module: "src.routes:orders",
      fn: "createOrder",
      lineNo: 27,
      colNo: 18,
      inApp: true,
      context: source(
        27,
        [
          "export async function createOrder(req: Request, res: Response): Promise<void> {",
          "  const draft = parseOrderDraft(req.body);",
          "  const customer = await customers.get(req.auth.customerId);",
          '  log.info("creating order", { customerId: customer.id, items: draft.items.length });',
          "",
          "  const priced = await priceOrder(draft, customer);",
          "  const order = await orders.insert(priced);",
          "",
          "  res.status(201).json(serializeOrder(order));",
          "}",
          "",
        ],
        5,
      ),
      vars: { req: "[IncomingMessage]", res: "[ServerResponse]", draft: "[Object]", customer: "[Object]" },
    }),
    frame({
      filename: "src/services/order-service.ts",
      absPath: "/app/src/services/order-service.ts",
      module: "src.services:order-service",
      fn: "priceOrder",
      lineNo: 64,
      colNo: 16,
      inApp: true,
      context: source(
        64,
        [
          "export async function priceOrder(draft: OrderDraft, customer: Customer): Promise<PricedOrder> {",
          "  const rules = await loadCouponRules(draft.coupons);",
          "  const rates = await payments.getRates(draft.currency);",
          "  let subtotal = sumLineItems(draft.items);",
          "  for (const coupon of draft.coupons) {",
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a source excerpt, not a template
          "    if (!rules[coupon.code]) log.warn(`coupon rule not found for ${coupon.code}, falling back`);",
          "    subtotal = applyCoupon(subtotal, coupon, rules);",
          "  }",
          "  return { ...draft, customerId: customer.id, subtotal, total: convert(subtotal, rates, draft.currency) };",
          "}",
          "",
          "export async function listOrders(customerId: string): Promise<OrderWithItems[]> {",
        ],
        6,
      ),
      vars: { draft: "[Object]", customer: "[Object]", coupon: { code: coupon, stacked: true }, subtotal },
    }),
    frame({
      filename: "src/pricing/discounts.ts",
      absPath: "/app/src/pricing/discounts.ts",
      module: "src.pricing:discounts",
      fn: "applyCoupon",
      lineNo: 41,
      colNo: 28,
      inApp: true,
      context: source(
        41,
        [
          "export function applyCoupon(total: number, coupon: Coupon, rules: CouponRules): number {",
          "  if (!coupon.code) return total;",
          "  const rule = rules[coupon.code.toUpperCase()];",
          "  if (coupon.stacked && rule?.stackable === false) {",
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a source excerpt, not a template
          "    throw new CouponError(`coupon ${coupon.code} cannot be stacked`);",
          "  }",
          "  return total * (1 - rule.percent / 100);",
          "}",
          "",
          "export function normaliseCode(code: string): string {",
          '  return code.trim().toUpperCase().replace(/[^A-Z0-9]/g, "");',
          "}",
        ],
        6,
      ),
      vars: {
        total: subtotal,
        coupon: { code: coupon, stacked: true },
        rules: { WELCOME10: { percent: 10, stackable: true }, SPRING24: { percent: 15, stackable: true } },
        rule: "<undefined>",
      },
    }),
  ];
}
