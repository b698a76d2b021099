import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type Fault, FaultController } from "./faults.ts";
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
  const token = options.token === undefined ? "sandbox-token" : options.token;
  const mode = options.mode ?? "self-hosted";
  const store = new ScenarioStore(options.scenario);
  const faults = new FaultController();
  const requests: RequestRecord[] = [];
  const rate = options.rateLimit ?? { limit: 1000, windowSeconds: 60 };
  let latency = options.latencyMs ?? 0;
  let window = { start: Date.now(), used: 0 };
  let inFlight = 0;
  let base = "";
  const routes: Route[] = [...issueRoutes, ...contextRoutes, ...codeRoutes];

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://sandbox");
    let path = url.pathname;
    const regionPrefix = "/region/us";
    const viaRegion = path.startsWith(`${regionPrefix}/`);
    if (viaRegion) path = path.slice(regionPrefix.length);
    const record: RequestRecord = {
      method: req.method ?? "GET",
      path: viaRegion ? `${regionPrefix}${path}` : path,
      query: url.searchParams,
      status: 0,
      at: Date.now(),
      endedAt: null,
      concurrent: inFlight,
    };
    requests.push(record);
    inFlight++;
    res.on("finish", () => {
      record.endedAt ??= Date.now();
    });
    res.on("close", () => {
      inFlight--;
      record.endedAt ??= Date.now();
    });
    const send = (
      status: number,
      body: string,
      contentType: string,
      headers: Record<string, string> = {},
    ) => {
      record.status = status;
      res.writeHead(status, { "content-type": contentType, ...rateHeaders(), ...headers });
      res.end(body);
    };
    const sendJson = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      send(status, JSON.stringify(body), "application/json", headers);

    if (latency > 0) await sleep(latency);

    const fault = faults.take(record.method, path, url.searchParams.toString());
    if (fault?.kind === "slow") {
      if (!(await pause(fault.delayMs ?? 1_000, res))) return;
    } else if (fault) {
      if (fault.delayMs && !(await pause(fault.delayMs, res))) return;
      if (fault.kind === "hang") return; // never answers; the client's timeout must fire
      if (fault.kind === "reset") {
        record.status = -1;
        req.socket.destroy();
        return;
      }
      if (fault.kind === "truncated") return send(200, '{"id": "1", "title": "trunc', "application/json");
      if (fault.kind === "html")
        return send(fault.status, "<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html");
      if (fault.kind === "string") return sendJson(fault.status, fault.message ?? "Something went wrong.");
      if (fault.status === 429) {
        const reset = Math.floor(Date.now() / 1000) + (fault.resetSeconds ?? 1);
        return sendJson(
          429,
          {
            detail:
              "You are attempting to use this endpoint too frequently. Limit is 40 requests in 1 seconds",
          },
          {
            "x-sentry-rate-limit-remaining": "0",
            "x-sentry-rate-limit-reset": String(reset),
          },
        );
      }
      return sendJson(fault.status, { detail: fault.message ?? defaultDetail(fault.status) });
    }

    if (token !== null && req.headers.authorization !== `Bearer ${token}`) {
      return sendJson(401, { detail: "Invalid token" });
    }
    if (!path.startsWith("/api/0/") || !path.endsWith("/")) {
      return sendJson(404, { detail: "The requested resource does not exist" });
    }
    if (Date.now() - window.start > rate.windowSeconds * 1000) window = { start: Date.now(), used: 0 };
    window.used++;
    if (window.used > rate.limit) {
      return sendJson(429, {
        detail: `You are attempting to use this endpoint too frequently. Limit is ${rate.limit} requests in ${rate.windowSeconds} seconds`,
      });
    }

    const apiPath = path.slice("/api/0".length);
    if (apiPath === "/users/me/regions/") {
      if (mode === "self-hosted") return sendJson(404, { detail: "The requested resource does not exist" });
      return sendJson(200, { regions: [{ name: "us", url: `${base}${regionPrefix}` }] });
    }
    if (mode === "saas" && !viaRegion && isRegionOnly(apiPath)) {
      // The control host does not serve organisation data here, so a client that skips discovery fails loudly.
      return sendJson(404, { detail: "The requested resource does not exist" });
    }
    const method = req.method ?? "GET";
    let body: unknown = null;
    if (method === "POST" || method === "PUT") {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "null");
      } catch {
        return sendJson(400, { detail: "Malformed JSON" });
      }
    }
    for (const [m, pattern, handler] of routes) {
      if (m !== method) continue;
      const match = pattern.exec(apiPath);
      if (!match) continue;
      const result = handler({
        params: match.slice(1).map((p) => decodeURIComponent(p)),
        query: url.searchParams,
        base: `${base}${viaRegion ? regionPrefix : ""}`,
        regionUrl: mode === "saas" ? `${base}${regionPrefix}` : null,
        body,
        store,
      });
      if ("raw" in result) return send(result.status, result.raw, result.contentType);
      return sendJson(result.status, result.body, result.headers);
    }
    const extra = store.scenario.extraRoutes?.[apiPath];
    if (extra !== undefined && method === "GET") return sendJson(200, extra);
    return sendJson(404, { detail: "The requested resource does not exist" });
  };

  function rateHeaders(): Record<string, string> {
    const reset = Math.floor((window.start + rate.windowSeconds * 1000) / 1000);
    return {
      "x-sentry-rate-limit-limit": String(rate.limit),
      "x-sentry-rate-limit-remaining": String(Math.max(0, rate.limit - window.used)),
      "x-sentry-rate-limit-reset": String(reset),
      "x-sentry-rate-limit-concurrentlimit": "25",
      "x-sentry-rate-limit-concurrentremaining": String(Math.max(0, 25 - inFlight)),
    };
  }

  /** Org-scoped data lives on region hosts; org details and the org list are served by the control host too. */
  function isRegionOnly(apiPath: string): boolean {
    return /^\/(organizations\/[^/]+\/.+|projects\/)/.test(apiPath);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
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
  base = `http://127.0.0.1:${address.port}`;

  return {
    url: base,
    requests,
    faults,
    store,
    setLatency: (ms) => {
      latency = ms;
    },
    fail: (fault) => faults.add(fault),
    clearRequests: () => {
      requests.length = 0;
    },
    inFlight: () => inFlight,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
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
