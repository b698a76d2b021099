import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.ts";
import { SentryHttp } from "../../src/sentry/http.ts";

/** A JSON server that answers after `?ms=` milliseconds and counts what reaches it. */
let server: Server;
let base: string;
const seen: string[] = [];
let inFlight = 0;
let maxInFlight = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.url ?? "");
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const ms = Number(new URL(req.url ?? "/", "http://x").searchParams.get("ms") ?? 0);
    const done = () => {
      inFlight--;
      if (res.destroyed) return;
      res.writeHead(200, { "content-type": "application/json" });
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

const http = (maxConcurrency = 8) =>
  new SentryHttp({
    token: "t",
    timeoutMs: 5_000,
    maxRetries: 0,
    logger: createLogger("silent"),
    maxConcurrency,
  });
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
