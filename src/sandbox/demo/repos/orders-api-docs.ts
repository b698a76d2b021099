/** acme/orders-api at HEAD: manifest, config, README, the one test file and the coding-agent rules files. */

export const PACKAGE_JSON = `{
  "name": "@acme/orders-api",
  "version": "2.14.1",
  "private": true,
  "type": "module",
  "engines": { "node": ">=20.11" },
  "scripts": {
    "dev": "tsx watch src/server.ts",
    "start": "node --import tsx src/server.ts",
    "test": "vitest run",
    "typecheck": "tsc --noEmit"
  },
  "dependencies": {
    "@sentry/node": "^9.30.0",
    "express": "^4.21.2",
    "pg": "^8.12.0",
    "tsx": "^4.19.2",
    "zod": "^3.23.8"
  },
  "devDependencies": {
    "@types/express": "^4.17.21",
    "@types/node": "^20.17.6",
    "@types/pg": "^8.11.10",
    "typescript": "~5.6.3",
    "vitest": "^2.1.8"
  }
}
`;

export const TSCONFIG = `{
  "compilerOptions": {
    "target": "ES2022",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "strict": true,
    "noEmit": true,
    "esModuleInterop": true,
    "skipLibCheck": true
  },
  "include": ["src", "test"]
}
`;

export const README = `# orders-api

Orders, pricing and coupons for Acme Shop, behind \`https://api.acme.shop/v1/orders\`.

| Method | Path | What |
| --- | --- | --- |
| POST | \`/v1/orders\` | Price a cart (line items, coupons, currency) and place the order |
| GET | \`/v1/orders?customer=…\` | The customer's 12 latest orders with their items |
| GET | \`/v1/orders/:id\` | One order |

The API gateway verifies sessions and forwards \`X-Customer-Id\` (and \`X-Staff\` for support staff).

## Running it

\`\`\`sh
npm ci
DATABASE_URL=postgres://localhost/orders npm run dev   # :8080
npm test
\`\`\`

Exchange rates come from the payments service (\`PAYMENTS_URL\`), customers from \`CUSTOMERS_URL\`.
Errors and traces go to Sentry (\`SENTRY_DSN\`, project \`orders-api\`).

Working on this repo with a coding agent? Start with [AGENTS.md](AGENTS.md).
`;

export const TEST = `import { describe, expect, it } from "vitest";
import { applyCoupon, CouponError, normaliseCode } from "../src/pricing/discounts.js";

const rules = {
  WELCOME10: { percent: 10, stackable: true },
  SPRING24: { percent: 15, stackable: true },
  VIP30: { percent: 30, stackable: false },
};

describe("applyCoupon", () => {
  it("takes the rule's percentage off", () => {
    expect(applyCoupon(100, { code: "welcome10" }, rules)).toBe(90);
  });

  it("applies stacked coupons one after the other", () => {
    const once = applyCoupon(100, { code: "WELCOME10" }, rules);
    expect(applyCoupon(once, { code: "SPRING24", stacked: true }, rules)).toBeCloseTo(76.5);
  });

  it("refuses to stack a coupon that does not stack", () => {
    expect(() => applyCoupon(90, { code: "VIP30", stacked: true }, rules)).toThrow(CouponError);
  });
});

describe("normaliseCode", () => {
  it("upper-cases and drops separators", () => {
    expect(normaliseCode(" spring-24 ")).toBe("SPRING24");
  });
});
`;

export const AGENTS_MD = `# orders-api: notes for coding agents

Node 20, TypeScript (ESM, run with tsx), Express 4, Postgres via \`pg\`. Sentry project: \`orders-api\`.

## Commands

- \`npm ci\`, then \`npm test\` (vitest) and \`npm run typecheck\` before every commit.
- \`npm run dev\` serves on :8080; it needs \`DATABASE_URL\`.

## Layout

- \`src/routes/\`: HTTP handlers. Validate input with zod, call a service, serialise. No SQL in routes.
- \`src/services/\`: business logic and queries.
- \`src/pricing/\`: coupons, prices, currency conversion (see \`.cursor/rules/pricing.mdc\`).
- \`src/clients.ts\`: HTTP clients for the customers and payments services.
- \`test/\`: vitest, one file per module under test.

## Conventions

- Local imports end in \`.js\`. Named exports only.
- Log through \`log\` from \`src/lib/log.ts\` with structured fields; never log emails, addresses or tokens.
- Do not run queries inside a loop over rows: load related rows in one query (\`= ANY($1)\`).
- Anything read from a lookup table (coupon rules, prices, rates) can be missing: handle the miss explicitly.
- Errors that should reach the client carry a \`status\` (see \`CouponError\`); everything else is a 500.
- Every bug fix comes with a test that fails without it.
- Commit subjects: \`area: imperative summary (#PR)\`, e.g. \`pricing: round stacked discounts once (#398)\`.
`;

export const CLAUDE_MD = `# Claude Code

@AGENTS.md

- Prefer small diffs; do not reformat files you did not otherwise change.
- Ask before adding a dependency.
`;

export const PRICING_MDC = `---
description: Money math and coupon rules in the pricing module
globs: src/pricing/**
alwaysApply: false
---

# Pricing

- Money is integer cents (\`total_cents\`, \`unit_price_cents\`). Convert to decimal only when serialising.
  \`applyCoupon\` still works on decimal totals; new code must not, and touching it means moving it to cents.
- Round once, at the end, half away from zero (\`Math.round\` on cents). Never round intermediate steps.
- Coupon codes are looked up by \`normaliseCode(code)\`, never by the raw or merely upper-cased code.
- A coupon whose rule is missing is ignored (no discount) and logged at warn, never an error.
- Stacked coupons apply in the order the customer entered them; a rule with \`stackable: false\` only
  applies as the first coupon.
- Currency conversion (\`convert\`) happens after coupons, on the EUR subtotal.
`;

export const COPILOT_MD = `# Copilot instructions for orders-api

This is the Acme Shop orders service: TypeScript on Node 20, Express 4, Postgres (\`pg\`), tests with vitest.

- Follow [AGENTS.md](../AGENTS.md) for commands, layout and conventions.
- In \`src/pricing/\`, amounts are integer cents; see \`.cursor/rules/pricing.mdc\` for the coupon rules.
- Suggest a vitest test with every change to \`src/pricing/\` or \`src/services/\`.
`;
