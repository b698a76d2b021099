/**
 * Every identifier the demo dataset uses, in one place so tests (and the demo client) can refer to them.
 * Event and trace IDs are 32 lowercase hex, span IDs 16 hex, commit SHAs 40 hex. None depend on `now`.
 */

/** Deterministic hex (FNV-1a, chained) so generated span IDs stay stable between runs. */
export function hexId(seed: string, length = 32): string {
  let out = "";
  let round = 0;
  while (out.length < length) {
    let h = 0x811c9dc5 ^ round;
    for (const ch of `${seed}#${round}`) {
      h ^= ch.charCodeAt(0);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    out += h.toString(16).padStart(8, "0");
    round += 1;
  }
  return out.slice(0, length);
}

export const spanId = (seed: string): string => hexId(`span:${seed}`, 16);

export const PROJECT_IDS = { storefront: 2001, ordersApi: 2002, payments: 2003 } as const;

export const DEMO = {
  org: "acme",
  orgId: "1001",

  // Traces
  traceA: "4f8b1c2e9a7d4e6f8c3b5a1d2e7f9c04",
  traceAOld: "c61f0a9e3b5d47a2981e6c4f0b7d3a58",
  traceB: "a3c9e5f1b7d24086ae1c3f5b7d9e2a41",
  traceC: "7e2d4b6f8a1c43e5b9d7f3a5c1e8b206",
  profileC: "9b4e2a7c1f6d48e3a5c0b8d2f4e6a713",

  // ORDERS-API-7A: TypeError in applyCoupon (regressed in orders-api@2.14.0)
  ordersIssueId: "5103",
  ordersIssueShortId: "ORDERS-API-7A",
  ordersEventOld: "e4a1c7f29b3d4c8e8f6a2b5d1c9e7f30",
  ordersEvent: "b7c3e9a15f2d4b6c9e8a7f1d3c5b2e94",

  // STOREFRONT-3F: the browser-side AxiosError on the same trace
  storefrontIssueId: "5201",
  storefrontIssueShortId: "STOREFRONT-3F",
  storefrontEvent: "2d9f6b1e8c4a47f3b5e0d7c9a1f3e826",

  // PAYMENTS-1C: chained KeyError → ChargeError
  paymentsIssueId: "5302",
  paymentsIssueShortId: "PAYMENTS-1C",
  paymentsEvent: "5a8e2c4f9d1b46e7a3c6f0b8d2e4a195",

  // ORDERS-API-7D: N+1 query performance issue (its event is the transaction)
  perfIssueId: "5107",
  perfIssueShortId: "ORDERS-API-7D",
  perfEvent: "f1d3b5a7c9e24f6a8b0c2d4e6f8a1b37",
  perfOccurrence: "6c2e8a4f0b1d47c39e5a7b3d1f9c0e52",

  // Transaction (segment) event IDs in the traces
  txStorefrontPageload: "0c5e7a9b1d3f42e6a8c0e2f4b6d8a913",
  txStorefrontClick: "6a8c0e2f4b6d48a1c3e5f7b9d1a3c528",
  txOrders: "3e5a7c9f1b2d4e60a8c2e4f6b8d0a1c7",
  txPayments: "8d0f2b4e6a1c43d5e7f9a1b3c5d7e946",

  // Spans errors hang off
  spanOrdersPricing: spanId("a.orders.pricing"),
  spanStorefrontHttp: spanId("a.storefront.http"),
  spanPaymentsRoot: spanId("b.payments.root"),
  spanPerfRoot: spanId("c.orders.root"),

  // Releases and commits
  ordersRelease: "orders-api@2.14.0",
  ordersHotfixRelease: "orders-api@2.14.1",
  storefrontRelease: "storefront@5.2.0",
  paymentsRelease: "payments@1.9.3",
  suspectCommit: "9f3c2a7e41b8d05c6e2f9a1b3d7c4e8f0a2b6d91",
  logsCommit: "2b7e9d1c4a6f08e3b5d2c9a7f1e4b6d803c5a7e2",
  depsCommit: "d41a8c3f6b2e97d05a1c4e8b3f7d2a6c9e0b5f18",
} as const;
