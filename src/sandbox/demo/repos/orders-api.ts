import { DAY, HOUR, MIN } from "../common.ts";
import { type CommitSpec, edit, PEOPLE, type RepoSpec } from "./git.ts";
import * as docs from "./orders-api-docs.ts";
import * as infra from "./orders-api-infra.ts";
import * as src from "./orders-api-src.ts";

/**
 * acme/orders-api's history. The dates mirror `releases.ts`: "pricing: support stacked coupons (#412)"
 * 7d3h before `now` (ORDERS-API-7A is first seen ~5d21h before `now`, after orders-api@2.14.0 shipped),
 * then the request-id logging and the pg bump that shipped with it, then 2.14.1's boot fix. The N+1 in
 * `listOrders` → `loadItems` (ORDERS-API-7D) dates from #391, weeks earlier.
 */

// ── Older versions, written as edits of HEAD ────────────────────────────────────────────────────────

const discountsInitial = edit(src.DISCOUNTS, [
  [
    "  code: string;\n  /** Applied on top of another coupon in the same order. */\n  stacked?: boolean;\n",
    "  code: string;\n",
  ],
  ["  percent: number;\n  stackable: boolean;\n", "  percent: number;\n"],
  ["by normalised code, as", "by upper-cased code, as"],
  ["export class CouponError extends Error {\n  readonly status = 422;\n}\n\n", ""],
  ["percent, stackable FROM coupons", "percent FROM coupons"],
  ["const code = normaliseCode(coupon.code);", "const code = coupon.code.toUpperCase();"],
  ["{ percent: Number(row.percent), stackable: row.stackable }", "{ percent: Number(row.percent) }"],
  [
    "running total; stacked coupons apply in the order they were entered. */",
    "running total. Codes without a rule leave the total unchanged. */",
  ],
  [
    `  if (coupon.stacked && rule?.stackable === false) {
    throw new CouponError(\`coupon \${coupon.code} cannot be stacked\`);
  }
  return total * (1 - rule.percent / 100);`,
    "  return rule ? total * (1 - rule.percent / 100) : total;",
  ],
  [
    '\nexport function normaliseCode(code: string): string {\n  return code.trim().toUpperCase().replace(/[^A-Z0-9]/g, "");\n}\n',
    "",
  ],
]);

const serviceBeforeStacking = edit(src.ORDER_SERVICE, [
  ['import { log } from "../lib/log.js";\n', ""],
  [
    `  for (const coupon of draft.coupons) {
    if (!rules[coupon.code]) log.warn(\`coupon rule not found for \${coupon.code}, falling back\`);
    subtotal = applyCoupon(subtotal, coupon, rules);
  }`,
    "  const [coupon] = draft.coupons;\n  if (coupon) subtotal = applyCoupon(subtotal, coupon, rules);",
  ],
]);

const LIST_ORDERS = src.ORDER_SERVICE.slice(
  src.ORDER_SERVICE.indexOf("export async function listOrders"),
  src.ORDER_SERVICE.indexOf("export async function getOrder("),
);
const serviceInitial = edit(serviceBeforeStacking, [
  [
    src.ORDER_SERVICE.slice(
      src.ORDER_SERVICE.indexOf("const LIST_SQL"),
      src.ORDER_SERVICE.indexOf("export interface"),
    ),
    "",
  ],
  [LIST_ORDERS, ""],
  [
    src.ORDER_SERVICE.slice(
      src.ORDER_SERVICE.indexOf("// One query per order"),
      src.ORDER_SERVICE.indexOf("async function loadItems"),
    ),
    "",
  ],
]);

const routesBeforeStacking = edit(src.ROUTES, [
  ["z.array(z.string().min(1)).max(3)", "z.array(z.string().min(1)).max(1)"],
  ["The second and later coupons are stacked on the first. */", "One coupon per order for now. */"],
  [
    "  const stacked = coupons.map((code, i) => ({ code, stacked: i > 0 }));\n  return { currency: currency.toUpperCase(), items, coupons: stacked };",
    "  return { currency: currency.toUpperCase(), items, coupons: coupons.map((code) => ({ code })) };",
  ],
]);
const routesInitial = edit(routesBeforeStacking, [
  ["import { getOrder, listOrders, type OrderDraft", "import { getOrder, type OrderDraft"],
  [
    src.ROUTES.slice(
      src.ROUTES.indexOf("/** GET /v1/orders?customer"),
      src.ROUTES.indexOf("/** GET /v1/orders/:id"),
    ),
    "",
  ],
]);

const serverBeforeHotfix = edit(infra.SERVER, [
  ["import { startPriceRefresh } from", "import { warmPrices } from"],
  ["startPriceRefresh();\n", "await warmPrices();\n"],
]);
const serverBeforeRequestIds = edit(serverBeforeHotfix, [
  ["import { log, withRequestId } from", "import { log } from"],
  ["app.use(withRequestId);\n", ""],
]);
const serverInitial = edit(serverBeforeRequestIds, [
  ["import { createOrder, getOrderById, getOrders } from", "import { createOrder, getOrderById } from"],
  ['app.get("/v1/orders", getOrders);\n', ""],
]);

const logInitial = edit(infra.LOG, [
  [infra.LOG.slice(0, infra.LOG.indexOf("/** JSON lines")), ""],
  ["const requestContext = new AsyncLocalStorage<{ requestId: string }>();\n\n", ""],
  [
    "  const requestId = requestContext.getStore()?.requestId;\n  const entry = { ts: new Date().toISOString(), level, msg, ...(requestId ? { requestId } : {}), ...fields };",
    "  const entry = { ts: new Date().toISOString(), level, msg, ...fields };",
  ],
  [infra.LOG.slice(infra.LOG.indexOf("\n/** Tags every log line")), ""],
]);

const pricesInitial = edit(infra.PRICES, [
  ["const RETRY_MS = 5_000;\n", ""],
  [
    infra.PRICES.slice(
      infra.PRICES.indexOf("/** Loads the cache, retrying"),
      infra.PRICES.indexOf("export function unitPriceCents"),
    ),
    `/** Loads the cache before the server starts listening, then keeps it fresh. */
export async function warmPrices(): Promise<void> {
  await refresh();
  setInterval(() => {
    refresh().catch((err: unknown) => log.warn("price cache refresh failed", { error: String(err) }));
  }, REFRESH_MS).unref();
}

`,
  ],
  ['  if (prices.size === 0) throw new PricesNotReadyError("price cache is still warming up");\n', ""],
]);

const TEST_INITIAL = `import { describe, expect, it } from "vitest";
import { applyCoupon } from "../src/pricing/discounts.js";

const rules = {
  WELCOME10: { percent: 10 },
  SPRING24: { percent: 15 },
};

describe("applyCoupon", () => {
  it("takes the rule's percentage off", () => {
    expect(applyCoupon(100, { code: "welcome10" }, rules)).toBe(90);
  });

  it("leaves the total alone for codes without a rule", () => {
    expect(applyCoupon(100, { code: "NOPE" }, rules)).toBe(100);
  });
});
`;

const packageBeforeBump = edit(docs.PACKAGE_JSON, [['"pg": "^8.12.0"', '"pg": "^8.11.3"']]);
const readmeBeforeRules = edit(docs.README, [
  ["\nWorking on this repo with a coding agent? Start with [AGENTS.md](AGENTS.md).\n", ""],
]);
const readmeInitial = edit(readmeBeforeRules, [
  ["| GET | `/v1/orders?customer=…` | The customer's 12 latest orders with their items |\n", ""],
]);
const pricingRuleBeforeStacking = edit(docs.PRICING_MDC, [
  [
    "- Coupon codes are looked up by `normaliseCode(code)`, never by the raw or merely upper-cased code.",
    "- Coupon codes are case-insensitive: store and look them up upper-cased.",
  ],
  [
    docs.PRICING_MDC.slice(
      docs.PRICING_MDC.indexOf("- Stacked coupons"),
      docs.PRICING_MDC.indexOf("- Currency conversion"),
    ),
    "",
  ],
]);

// ── Commits, oldest first ───────────────────────────────────────────────────────────────────────────

function commits(): CommitSpec[] {
  return [
    {
      ago: 40 * DAY + 4 * HOUR + 12 * MIN,
      author: PEOPLE.tom,
      message:
        "orders-api: Express service that prices and places orders\n\nPOST /v1/orders and GET /v1/orders/:id, coupon rules from Postgres, exchange rates from payments.",
      files: {
        "package.json": packageBeforeBump,
        "tsconfig.json": docs.TSCONFIG,
        "README.md": readmeInitial,
        "src/server.ts": serverInitial,
        "src/db.ts": infra.DB,
        "src/clients.ts": infra.CLIENTS,
        "src/lib/log.ts": logInitial,
        "src/pricing/prices.ts": pricesInitial,
        "src/pricing/discounts.ts": discountsInitial,
        "src/services/order-service.ts": serviceInitial,
        "src/routes/orders.ts": routesInitial,
        "test/discounts.test.ts": TEST_INITIAL,
      },
    },
    {
      ago: 16 * DAY + 5 * HOUR + 37 * MIN,
      author: PEOPLE.lena,
      message:
        "orders: list a customer's orders with their items (#391)\n\nGET /v1/orders?customer=… returns the 12 latest orders for the order history page.",
      files: {
        "README.md": readmeBeforeRules,
        "src/server.ts": serverBeforeRequestIds,
        "src/services/order-service.ts": serviceBeforeStacking,
        "src/routes/orders.ts": routesBeforeStacking,
      },
    },
    {
      ago: 12 * DAY + 2 * HOUR + 8 * MIN,
      author: PEOPLE.tom,
      message:
        "docs: conventions for coding agents (#404)\n\nAGENTS.md for everyone, with CLAUDE.md importing it, a Cursor rule for src/pricing and Copilot instructions.",
      files: {
        "README.md": docs.README,
        "AGENTS.md": docs.AGENTS_MD,
        "CLAUDE.md": docs.CLAUDE_MD,
        ".cursor/rules/pricing.mdc": pricingRuleBeforeStacking,
        ".github/copilot-instructions.md": docs.COPILOT_MD,
      },
    },
    {
      ago: 7 * DAY + 3 * HOUR,
      author: PEOPLE.priya,
      message:
        "pricing: support stacked coupons (#412)\n\nResolve each coupon of a stacked order against the rules table and apply them in order.\nRules are now keyed by normalised coupon code.",
      files: {
        "src/pricing/discounts.ts": src.DISCOUNTS,
        "src/services/order-service.ts": src.ORDER_SERVICE,
        "src/routes/orders.ts": src.ROUTES,
        "test/discounts.test.ts": docs.TEST,
        ".cursor/rules/pricing.mdc": docs.PRICING_MDC,
      },
    },
    {
      ago: 6 * DAY + 22 * HOUR,
      author: PEOPLE.tom,
      message: "orders: include X-Request-Id in structured logs (#415)",
      files: { "src/lib/log.ts": infra.LOG, "src/server.ts": serverBeforeHotfix },
    },
    {
      ago: 6 * DAY + 5 * HOUR,
      author: PEOPLE.dependabot,
      message:
        "deps: bump pg from 8.11.3 to 8.12.0 (#417)\n\nBumps [pg](https://github.com/brianc/node-postgres/tree/HEAD/packages/pg) from 8.11.3 to 8.12.0.\n\nSigned-off-by: dependabot[bot] <support@github.com>",
      files: { "package.json": docs.PACKAGE_JSON },
    },
    {
      ago: 11 * HOUR,
      author: PEOPLE.lena,
      message:
        "orders: tolerate a cold pricing cache on boot (#421)\n\nStart listening right away and retry the catalogue load every 5s; pricing answers 503 until it is warm.",
      files: { "src/pricing/prices.ts": infra.PRICES, "src/server.ts": infra.SERVER },
    },
  ];
}

export function ordersApiRepo(): RepoSpec {
  return { name: "acme/orders-api", dir: "orders-api", projects: ["orders-api"], commits: commits() };
}

/** Subject of the commit that broke applyCoupon. */
export const STACKED_COUPONS_SUBJECT = "pricing: support stacked coupons (#412)";
