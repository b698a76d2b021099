import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDeadline } from "../../src/deadline.ts";
import { AppError } from "../../src/errors.ts";
import { Hedger } from "../../src/hedge.ts";
import { createLogger } from "../../src/log.ts";
import { SentryHttp, type SentryHttpOptions } from "../../src/sentry/http.ts";

/**
 * A JSON server that answers after `?ms=` milliseconds and counts what reaches it. `?hang=1` never answers;
 * `?hangFirst=k` leaves the first request with key k unanswered; `?remaining=n&limit=m` sends Sentry's
 * rate-limit headers. `abandoned` counts requests the client gave up on before an answer.
 */
let server: Server;
let base: string;
const seen: string[] = [];
let inFlight = 0;
let maxInFlight = 0;
let abandoned = 0;
const hungKeys = new Set<string>();

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.url ?? "");
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const params = new URL(req.url ?? "/", "http://x").searchParams;
    const ms = Number(params.get("ms") ?? 0);
    let answered = false;
    res.on("close", () => {
      if (!answered) abandoned++;
    });
    const first = params.get("hangFirst");
    if (params.get("hang") || (first && !hungKeys.has(first))) {
      if (first) hungKeys.add(first);
      return;
    }
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (params.get("remaining")) {
      headers["x-sentry-rate-limit-remaining"] = params.get("remaining")!;
      headers["x-sentry-rate-limit-limit"] = params.get("limit") ?? "40";
      headers["x-sentry-rate-limit-reset"] = String(Math.floor(Date.now() / 1000) + 60);
    }
    const done = () => {
      inFlight--;
      if (res.destroyed) return;
      answered = true;
      res.writeHead(200, headers);
      res.end(JSON.stringify({ url: req.url }));
    };
    setTimeout(done, ms);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const http = (maxConcurrency = 8, more: Partial<SentryHttpOptions> = {}) =>
  new SentryHttp({
    token: "t",
    timeoutMs: 5_000,
    maxRetries: 0,
    logger: createLogger("silent"),
    maxConcurrency,
    ...more,
  });
const QUICK_HEDGE = { hedge: { floorMs: 50, capMs: 100 } };
const count = (prefix: string) => seen.filter((u) => u.startsWith(prefix)).length;
const reset = () => {
  seen.length = 0;
  maxInFlight = 0;
};

describe("SentryHttp under concurrency", () => {
  it("sends identical GETs that overlap once, and answers every caller", async () => {
    reset();
    const client = http();
    const results = await Promise.all(
      Array.from({ length: 50 }, () => client.request(`${base}/api/0/issues/1/?ms=50`)),
    );
    expect(seen).toEqual(["/api/0/issues/1/?ms=50"]);
    expect(new Set(results.map((r) => (r.body as { url: string }).url)).size).toBe(1);
    // Once the first answer is in, the next identical GET goes upstream again: no stale cache.
    await client.request(`${base}/api/0/issues/1/?ms=50`);
    expect(seen).toHaveLength(2);
    await client.close();
  });

  it("a caller that gives up does not cancel the request others share", async () => {
    reset();
    const client = http();
    const quitter = new AbortController();
    const a = client.request(`${base}/api/0/issues/2/?ms=150`, { signal: quitter.signal });
    const b = client.request(`${base}/api/0/issues/2/?ms=150`);
    setTimeout(() => quitter.abort(new Error("gave up")), 30);
    await expect(a).rejects.toThrow("gave up");
    await expect(b).resolves.toMatchObject({ status: 200 });
    expect(seen).toHaveLength(1);
    await client.close();
  });

  it("keeps at most maxConcurrency requests in flight", async () => {
    reset();
    const client = http(3);
    await Promise.all(Array.from({ length: 12 }, (_, i) => client.request(`${base}/api/0/x/${i}/?ms=40`)));
    expect(seen).toHaveLength(12);
    expect(maxInFlight).toBe(3);
    await client.close();
  });

  it("a waiter that gives up leaves the queue, so the next one gets the slot", async () => {
    reset();
    const client = http(1);
    const first = client.request(`${base}/api/0/a/?ms=100`);
    const quitter = new AbortController();
    const gaveUp = client.request(`${base}/api/0/b/?ms=0`, { signal: quitter.signal });
    const third = client.request(`${base}/api/0/c/?ms=0`);
    quitter.abort(new Error("gave up"));
    await expect(gaveUp).rejects.toThrow("gave up");
    await first;
    // Before, the slot went to the waiter that had left, and the third request waited forever.
    const stuck = new Promise((r) => setTimeout(() => r("stuck"), 2_000));
    await expect(Promise.race([third.then(() => "answered"), stuck])).resolves.toBe("answered");
    expect(seen).toEqual(["/api/0/a/?ms=100", "/api/0/c/?ms=0"]);
    await client.close();
  });
});

describe("SentryHttp with a slow tail", () => {
  it("sends a second copy of a GET that has not answered, uses the first answer and cancels the other", async () => {
    reset();
    const client = http(8, QUICK_HEDGE);
    const gone = abandoned;
    const res = await client.request(`${base}/api/0/slow/1/?hangFirst=a`);
    expect(res.status).toBe(200);
    expect(count("/api/0/slow/1/")).toBe(2);
    expect(client.hedgeCount).toBe(1);
    // Hedges are requests like any other: they count.
    expect(client.requestCount).toBe(2);
    await expect.poll(() => abandoned - gone).toBe(1);
    await client.close();
  });

  it("never sends a POST twice", async () => {
    reset();
    const client = http(8, { ...QUICK_HEDGE, timeoutMs: 400 });
    await expect(
      client.request(`${base}/api/0/slow/2/?hangFirst=b`, { method: "POST", body: {} }),
    ).rejects.toThrow(/did not answer/);
    expect(count("/api/0/slow/2/")).toBe(1);
    expect(client.hedgeCount).toBe(0);
    await client.close();
  });

  it("sends no hedge while the rate-limit window is nearly used up", async () => {
    reset();
    const client = http(8, { ...QUICK_HEDGE, timeoutMs: 400 });
    // Sentry says 3 of 40 requests are left in this window: a hedge would spend what a real call needs.
    await client.request(`${base}/api/0/budget/?remaining=3&limit=40`);
    await expect(client.request(`${base}/api/0/slow/3/?hangFirst=c`)).rejects.toThrow(/did not answer/);
    expect(count("/api/0/slow/3/")).toBe(1);
    expect(client.hedgeCount).toBe(0);
    // With room in the window, the same slow GET is hedged.
    await client.request(`${base}/api/0/budget/?remaining=30&limit=40`);
    await expect(client.request(`${base}/api/0/slow/4/?hangFirst=d`)).resolves.toMatchObject({ status: 200 });
    expect(client.hedgeCount).toBe(1);
    await client.close();
  });

  it("stops at the caller's deadline with an error naming the request", async () => {
    reset();
    const client = http(8, { ...QUICK_HEDGE, timeoutMs: 10_000 });
    const deadline = startDeadline(500);
    const gone = abandoned;
    const started = Date.now();
    const error = await client
      .request(`${base}/api/0/organizations/acme/issues/1/?hang=1`, { signal: deadline.signal })
      .catch((e: unknown) => e);
    deadline.dispose();
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ kind: "upstream", service: "Sentry" });
    expect((error as Error).message).toBe(
      "Sentry did not answer /api/0/organizations/acme/issues/1/ within this call's 500 ms deadline.",
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    // Both copies (the first and its hedge) are cancelled, not left hanging until the 10 s timeout.
    expect(count("/api/0/organizations/acme/issues/1/")).toBe(2);
    await expect.poll(() => abandoned - gone).toBe(2);
    await client.close();
  });
});

describe("the hedge delay", () => {
  it("follows the latencies seen, within the floor and the cap", () => {
    const hedger = new Hedger({ floorMs: 100, capMs: 1_000 });
    expect(hedger.delayMs()).toBe(100);
    for (let i = 0; i < 40; i++) hedger.record(300 + i);
    expect(hedger.delayMs()).toBeGreaterThanOrEqual(330);
    expect(hedger.delayMs()).toBeLessThanOrEqual(340);
    for (let i = 0; i < 64; i++) hedger.record(5_000);
    expect(hedger.delayMs()).toBe(1_000);
    for (let i = 0; i < 64; i++) hedger.record(5);
    expect(hedger.delayMs()).toBe(100);
  });
});
