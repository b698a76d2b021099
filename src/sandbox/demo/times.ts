import { DAY, HOUR, MIN } from "./common.ts";

/**
 * When the demo's stories happen, in epoch milliseconds relative to `now`. Odd offsets keep timestamps off
 * round seconds. Trace A = the checkout failure (ORDERS-API-7A + STOREFRONT-3F), B = the payments failure,
 * C = the slow order list (ORDERS-API-7D). Every instant is in the past.
 */
export function timeline(now: number) {
  const click = now - 3 * MIN - 1872;
  const ordersStart = click + 60;
  const ordersEnd = ordersStart + 512;
  const b = now - 14 * MIN - 230;
  const c = now - 25 * MIN - 870;
  return {
    a: {
      pageloadStart: click - 41_300,
      pageloadEnd: click - 41_300 + 1830,
      click,
      clickEnd: click + 1180,
      sfHttpStart: click + 22,
      sfHttpEnd: ordersEnd + 23,
      ordersStart,
      ordersEnd,
      coupon1: [ordersStart + 18, ordersStart + 39] as const,
      coupon2: [ordersStart + 42, ordersStart + 61] as const,
      rates: [ordersStart + 70, ordersStart + 482] as const,
      pricing: [ordersStart + 488, ordersStart + 496] as const,
      ordersError: ordersStart + 495,
      storefrontError: ordersEnd + 31,
    },
    b: {
      start: b,
      end: b + 48,
      select: [b + 4, b + 10] as const,
      build: [b + 11, b + 14] as const,
      error: b + 13,
      rollback: [b + 30, b + 33] as const,
    },
    c: {
      start: c,
      end: c + 486,
      list: [c + 6, c + 472] as const,
      cause: [c + 8, c + 37] as const,
      /** The 12 repeated `order_items` queries. */
      repeats: Array.from(
        { length: 12 },
        (_, i) => [c + 40 + i * 35, c + 40 + i * 35 + 27 + (i % 3) * 3] as const,
      ),
    },
    ordersErrorOld: now - 2 * DAY - 4 * HOUR - 17 * MIN - 233,
    ordersFirstSeen: now - 6 * DAY + 3 * HOUR + 11 * MIN,
    ordersResolved: now - 4 * DAY + 5 * HOUR,
    ordersRegressed: now - 2 * DAY - 4 * HOUR - 17 * MIN - 233,
    ordersDeploy: now - 6 * DAY + 2 * HOUR,
    storefrontDeploy: now - 9 * DAY + 7 * HOUR,
    paymentsDeploy: now - 12 * DAY + 1 * HOUR,
  };
}
