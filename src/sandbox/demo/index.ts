import type { Scenario } from "../scenario.ts";
import { ordersIssue } from "./issues-orders.ts";
import { paymentsIssue } from "./issues-payments.ts";
import { perfIssue } from "./issues-perf.ts";
import { storefrontIssue } from "./issues-storefront.ts";
import { logs } from "./logs.ts";
import { organization, projects } from "./org.ts";
import { profiles } from "./profiles.ts";
import { committers, releaseCommits, releases } from "./releases.ts";
import { traces } from "./traces.ts";

export { DEMO } from "./ids.ts";

/**
 * The dataset `autofix-mcp --demo` serves: Acme Shop's storefront, orders-api and payments projects.
 *
 * - ORDERS-API-7A: unhandled TypeError in applyCoupon, regressed with orders-api@2.14.0 ("pricing: support
 *   stacked coupons" is the suspect commit). Trace A links it to STOREFRONT-3F, the browser's AxiosError 500.
 * - PAYMENTS-1C: chained KeyError → ChargeError in the payments service (trace B).
 * - ORDERS-API-7D: N+1 queries in GET /v1/orders, with a transaction profile (trace C).
 *
 * Everything is relative to `now` (first seen days ago, last seen minutes ago) and deterministic for a given `now`.
 */
export function demoScenario(now: number = Date.now()): Scenario {
  return {
    organization: organization(now),
    projects: projects(now),
    issues: [ordersIssue(now), storefrontIssue(now), paymentsIssue(now), perfIssue(now)],
    traces: traces(now),
    logs: logs(now),
    releases: releases(now),
    releaseCommits: releaseCommits(now),
    committers: committers(now),
    profiles: profiles(now),
  };
}
