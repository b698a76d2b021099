import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type ActiveFault, type Fault, FaultController } from "./faults.ts";
import { codeRoutes } from "./routes-code.ts";
import { contextRoutes } from "./routes-context.ts";
import { issueRoutes } from "./routes-issues.ts";
import type { Scenario } from "./scenario.ts";
import { ScenarioStore } from "./store.ts";

/**
 * The sandbox Sentry: a real HTTP server on loopback that answers like Sentry does, from a Scenario.
 * It emits `Link` pagination and `X-Sentry-Rate-Limit-*` headers, enforces the bearer token and the trailing
 * slash, and can be told to fail (401/403/404/429/5xx, HTML or bare-string bodies, truncated JSON, resets,
 * hangs) or to be slow. `--demo` serves the bundled scenario with it; tests serve their own.
 */

interface SandboxOptions {
  scenario: Scenario;
  /** The token clients must send; null accepts any request. Default "sandbox-token". */
  token?: string | null;
  /** "saas" serves `/users/me/regions/` and a region host under `/region/us`; "self-hosted" answers regions with 404. */
  mode?: "self-hosted" | "saas";
  latencyMs?: number;
  rateLimit?: { limit: number; windowSeconds: number };
  port?: number;
  host?: string;
}

export interface RequestRecord {
  method: string;
  path: string;
  query: URLSearchParams;
  status: number;
  at: number;
  /** When the answer was sent or the connection closed (ms since epoch); null while open. */
  endedAt: number | null;
  /** Requests that overlapped this one when it started (for parallelism checks). */
  concurrent: number;
}

export interface SandboxHandle {
  /** Base URL to use as SENTRY_HOST, e.g. http://127.0.0.1:43121 */
  url: string;
  requests: RequestRecord[];
  faults: FaultController;
  store: ScenarioStore;
  setLatency(ms: number): void;
  fail(fault: Fault): void;
  clearRequests(): void;
  /** Requests open right now: answered ones and ones the client abandoned are not. */
  inFlight(): number;
  close(): Promise<void>;
}

export interface RouteRequest {
  params: string[];
  query: URLSearchParams;
  base: string;
  /** The region URL organisations advertise in `links.regionUrl` (saas mode), else null. */
  regionUrl: string | null;
  store: ScenarioStore;
  /** Parsed JSON body of a POST/PUT. */
  body: unknown;
}

export type RouteResult =
  | { status: number; body: unknown; headers?: Record<string, string> }
  | { status: number; raw: string; contentType: string };

export type Route = [method: string, pattern: RegExp, handler: (req: RouteRequest) => RouteResult];

export async function startSandbox(options: SandboxOptions): Promise<SandboxHandle> {
  const sandbox = new Sandbox(options);
  const server = createServer((req, res) => {
    sandbox.handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ detail: `sandbox error: ${(error as Error).message}` }));
      }
    });
  });
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve),
  );
  const address = server.address() as AddressInfo;
  sandbox.base = `http://127.0.0.1:${address.port}`;

  return {
    url: sandbox.base,
    requests: sandbox.requests,
    faults: sandbox.faults,
    store: sandbox.store,
    setLatency: (ms) => {
      sandbox.latency = ms;
    },
    fail: (fault) => sandbox.faults.add(fault),
    clearRequests: () => {
      sandbox.requests.length = 0;
    },
    inFlight: () => sandbox.inFlight,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const REGION_PREFIX = "/region/us";
const NOT_FOUND = { detail: "The requested resource does not exist" };

/** One request as the sandbox answers it: its record, and how to send an answer with the rate headers. */
interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** The path without the region prefix. */
  path: string;
  viaRegion: boolean;
  record: RequestRecord;
}

/** The sandbox's state and its answer to a request: faults, then the token and rate limit, then the routes. */
class Sandbox {
  readonly store: ScenarioStore;
  readonly faults = new FaultController();
  readonly requests: RequestRecord[] = [];
  latency: number;
  inFlight = 0;
  base = "";
  private readonly token: string | null;
  private readonly mode: "self-hosted" | "saas";
  private readonly rate: { limit: number; windowSeconds: number };
  private window = { start: Date.now(), used: 0 };
  private readonly routes: Route[] = [...issueRoutes, ...contextRoutes, ...codeRoutes];

  constructor(options: SandboxOptions) {
    this.token = options.token === undefined ? "sandbox-token" : options.token;
    this.mode = options.mode ?? "self-hosted";
    this.store = new ScenarioStore(options.scenario);
    this.rate = options.rateLimit ?? { limit: 1000, windowSeconds: 60 };
    this.latency = options.latencyMs ?? 0;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const x = this.exchange(req, res);
    if (this.latency > 0) await sleep(this.latency);
    const fault = this.faults.take(x.record.method, x.path, x.url.searchParams.toString());
    if (fault?.kind === "slow") {
      if (!(await pause(fault.delayMs ?? 1_000, x.res))) return;
    } else if (fault) return this.fail(x, fault);
    if (this.token !== null && req.headers.authorization !== `Bearer ${this.token}`)
      return this.sendJson(x, 401, { detail: "Invalid token" });
    if (!x.path.startsWith("/api/0/") || !x.path.endsWith("/")) return this.sendJson(x, 404, NOT_FOUND);
    if (Date.now() - this.window.start > this.rate.windowSeconds * 1000)
      this.window = { start: Date.now(), used: 0 };
    this.window.used++;
    if (this.window.used > this.rate.limit) {
      return this.sendJson(x, 429, {
        detail: `You are attempting to use this endpoint too frequently. Limit is ${this.rate.limit} requests in ${this.rate.windowSeconds} seconds`,
      });
    }
    return this.route(x);
  }

  /** Records the request, and counts it in flight until its connection closes. */
  private exchange(req: IncomingMessage, res: ServerResponse): Exchange {
    const url = new URL(req.url ?? "/", "http://sandbox");
    const viaRegion = url.pathname.startsWith(`${REGION_PREFIX}/`);
    const path = viaRegion ? url.pathname.slice(REGION_PREFIX.length) : url.pathname;
    const record: RequestRecord = {
      method: req.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      status: 0,
      at: Date.now(),
      endedAt: null,
      concurrent: this.inFlight,
    };
    this.requests.push(record);
    this.inFlight++;
    res.on("finish", () => {
      record.endedAt ??= Date.now();
    });
    res.on("close", () => {
      this.inFlight--;
      record.endedAt ??= Date.now();
    });
    return { req, res, url, path, viaRegion, record };
  }

  /** A fault the test asked for: hung, reset, truncated, HTML, a bare string, a 429 or an error status. */
  private async fail(x: Exchange, fault: ActiveFault): Promise<void> {
    if (fault.delayMs && !(await pause(fault.delayMs, x.res))) return;
    if (fault.kind === "hang") return; // never answers; the client's timeout must fire
    if (fault.kind === "reset") {
      x.record.status = -1;
      x.req.socket.destroy();
      return;
    }
    if (fault.kind === "truncated")
      return this.send(x, 200, '{"id": "1", "title": "trunc', "application/json");
    if (fault.kind === "html")
      return this.send(x, fault.status, "<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html");
    if (fault.kind === "string")
      return this.sendJson(x, fault.status, fault.message ?? "Something went wrong.");
    if (fault.status === 429) {
      const reset = Math.floor(Date.now() / 1000) + (fault.resetSeconds ?? 1);
      return this.sendJson(
        x,
        429,
        {
          detail: "You are attempting to use this endpoint too frequently. Limit is 40 requests in 1 seconds",
        },
        { "x-sentry-rate-limit-remaining": "0", "x-sentry-rate-limit-reset": String(reset) },
      );
    }
    return this.sendJson(x, fault.status, { detail: fault.message ?? defaultDetail(fault.status) });
  }

  /** Region discovery, then the scenario's routes, then its extra GET routes. */
  private async route(x: Exchange): Promise<void> {
    const apiPath = x.path.slice("/api/0".length);
    if (apiPath === "/users/me/regions/") {
      if (this.mode === "self-hosted") return this.sendJson(x, 404, NOT_FOUND);
      return this.sendJson(x, 200, { regions: [{ name: "us", url: `${this.base}${REGION_PREFIX}` }] });
    }
    // The control host does not serve organisation data here, so a client that skips discovery fails loudly.
    if (this.mode === "saas" && !x.viaRegion && isRegionOnly(apiPath))
      return this.sendJson(x, 404, NOT_FOUND);
    const method = x.record.method;
    let body: unknown = null;
    if (method === "POST" || method === "PUT") {
      const chunks: Buffer[] = [];
      for await (const chunk of x.req) chunks.push(chunk as Buffer);
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "null");
      } catch {
        return this.sendJson(x, 400, { detail: "Malformed JSON" });
      }
    }
    for (const [m, pattern, handler] of this.routes) {
      const match = m === method ? pattern.exec(apiPath) : null;
      if (!match) continue;
      const result = handler({
        params: match.slice(1).map((p) => decodeURIComponent(p)),
        query: x.url.searchParams,
        base: `${this.base}${x.viaRegion ? REGION_PREFIX : ""}`,
        regionUrl: this.mode === "saas" ? `${this.base}${REGION_PREFIX}` : null,
        body,
        store: this.store,
      });
      if ("raw" in result) return this.send(x, result.status, result.raw, result.contentType);
      return this.sendJson(x, result.status, result.body, result.headers);
    }
    const extra = this.store.scenario.extraRoutes?.[apiPath];
    if (extra !== undefined && method === "GET") return this.sendJson(x, 200, extra);
    return this.sendJson(x, 404, NOT_FOUND);
  }

  private send(
    x: Exchange,
    status: number,
    body: string,
    contentType: string,
    headers: Record<string, string> = {},
  ) {
    x.record.status = status;
    x.res.writeHead(status, { "content-type": contentType, ...this.rateHeaders(), ...headers });
    x.res.end(body);
  }

  private sendJson(x: Exchange, status: number, body: unknown, headers: Record<string, string> = {}) {
    this.send(x, status, JSON.stringify(body), "application/json", headers);
  }

  private rateHeaders(): Record<string, string> {
    const { rate, window } = this;
    const reset = Math.floor((window.start + rate.windowSeconds * 1000) / 1000);
    return {
      "x-sentry-rate-limit-limit": String(rate.limit),
      "x-sentry-rate-limit-remaining": String(Math.max(0, rate.limit - window.used)),
      "x-sentry-rate-limit-reset": String(reset),
      "x-sentry-rate-limit-concurrentlimit": "25",
      "x-sentry-rate-limit-concurrentremaining": String(Math.max(0, 25 - this.inFlight)),
    };
  }
}

/** Org-scoped data lives on region hosts; org details and the org list are served by the control host too. */
function isRegionOnly(apiPath: string): boolean {
  return /^\/(organizations\/[^/]+\/.+|projects\/)/.test(apiPath);
}

function defaultDetail(status: number): string {
  switch (status) {
    case 401:
      return "Invalid token";
    case 403:
      return "You do not have permission to perform this action.";
    case 404:
      return "The requested resource does not exist";
    default:
      return "Internal Error";
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits `ms` unless the client goes away first (then false): a slow answer nobody awaits holds no timer. */
function pause(ms: number, res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (answered: boolean) => {
      clearTimeout(timer);
      res.off("close", gone);
      resolve(answered);
    };
    const gone = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    res.on("close", gone);
  });
}
