import { randomUUID } from "node:crypto";
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import { Worker } from "../automation/worker.ts";
import { isLoopbackHost } from "../config.ts";
import type { Context } from "../context.ts";
import { configError } from "../errors.ts";
import { createServer, SERVER_NAME, SERVER_VERSION } from "../server.ts";
import { operatorRoute } from "../ui/operator.ts";
import { readBodyBytes } from "./body.ts";
import { type GuardPolicy, hostAllowed, isWildcardBind, originAllowed, tokenMatches } from "./http-guard.ts";
import { handleWebhook, type WebhookLimits } from "./webhooks.ts";

/**
 * Streamable HTTP on node:http. `/mcp` (POST/GET/DELETE) with stateful sessions by default or stateless
 * mode; `/healthz`. Every request passes the Host and Origin checks; `/mcp` also needs the bearer token when
 * one is configured (and one must be when the server listens beyond loopback).
 */
export interface HttpHandle {
  url: string;
  port: number;
  sessionCount(): number;
  close(): Promise<void>;
}

const WEBHOOK_MAX_BYTES = 256 * 1024;
const WEBHOOK_MAX_READING = 16;

interface Session {
  transport: StreamableHTTPServerTransport;
  server: McpServer;
  lastSeen: number;
  /** POSTs still being answered: a session is never idle while it waits for a tool call. */
  busy: number;
}

export async function serveHttp(context: Context): Promise<HttpHandle> {
  const { http } = context.config;
  if (!isLoopbackHost(http.host) && !http.token) {
    throw configError(
      `listening on ${http.host} (beyond loopback) without a token would let anyone on the network use this server.`,
      "Set AUTOFIX_HTTP_TOKEN to a long random value (e.g. openssl rand -hex 32), or bind to 127.0.0.1.",
    );
  }
  const policy: GuardPolicy = {
    bindHost: http.host,
    allowedHosts: http.allowedHosts,
    allowedOrigins: http.allowedOrigins,
    token: http.token,
  };
  if (isWildcardBind(http.host) && http.allowedHosts.length === 0) {
    context.logger.warn(
      "listening on all interfaces without --allowed-hosts: only requests addressed to loopback names pass the Host check",
    );
  }
  const sessions = new Map<string, Session>();
  /** Initialize requests answered but whose session is not registered yet: they count against the cap. */
  let opening = 0;
  // Webhook bodies are read before anyone is authenticated (the HMAC covers the body): smaller, and only
  // a few at a time.
  const webhookLimits: WebhookLimits = {
    maxBytes: Math.min(http.maxBodyBytes, WEBHOOK_MAX_BYTES),
    timeoutMs: http.bodyTimeoutMs,
    reading: 0,
    maxReading: WEBHOOK_MAX_READING,
  };
  // Sentry webhooks feed the background worker; without a webhook secret there is nothing to work on.
  const worker = context.config.automation.enabled ? new Worker(context) : null;
  const log = context.logger.child({ component: "http" });
  const operatorPage = operatorRoute(context, {
    sessionCount: () => sessions.size,
    automation: worker !== null,
    kick: () => worker?.kick(),
  });

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0];
    // Which replica answered: behind a load balancer, stateful sessions need affinity to it.
    res.setHeader("x-autofix-replica", context.config.store.replicaId);
    if (!hostAllowed(req.headers.host, policy))
      return rpcError(res, 403, -32000, "Forbidden: Host header not allowed");
    if (!originAllowed(header(req, "origin"), policy))
      return rpcError(res, 403, -32000, "Forbidden: Origin not allowed");
    if (path === "/healthz") {
      if (req.method !== "GET") return rpcError(res, 405, -32000, "Method not allowed", { allow: "GET" });
      const database = await context.database();
      const queue = worker && database.reachable ? context.queue().depth() : null;
      return json(res, 200, {
        status: database.reachable ? "ok" : "degraded",
        replica: context.config.store.replicaId,
        database,
        name: SERVER_NAME,
        version: SERVER_VERSION,
        sessions: sessions.size,
        memory: {
          rss_mb: Math.round(process.memoryUsage().rss / 1048576),
          heap_used_mb: Math.round(process.memoryUsage().heapUsed / 1048576),
        },
        analyses: { running: context.analyses.running, waiting: context.analyses.waiting },
        ...(queue ? { queue } : {}),
      });
    }
    if (path?.startsWith("/webhooks/")) {
      return handleWebhook(context, worker, path.slice("/webhooks/".length), req, res, webhookLimits);
    }
    if (path === "/ui" || path?.startsWith("/ui/")) return operatorPage(req, res, path);
    if (path !== "/mcp")
      return json(res, 404, {
        error: "not found",
        endpoints: ["/mcp", "/healthz", "/webhooks/sentry", "/ui"],
      });
    if (policy.token && !tokenMatches(header(req, "authorization"), policy.token)) {
      return rpcError(res, 401, -32001, "Unauthorized: send Authorization: Bearer <token>", {
        "www-authenticate": `Bearer realm="${SERVER_NAME}"`,
      });
    }
    if (http.stateless) return handleStateless(req, res);
    return handleStateful(req, res);
  };

  const handleStateless = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== "POST") {
      return rpcError(
        res,
        405,
        -32000,
        "Method not allowed: this server runs stateless; POST JSON-RPC to /mcp",
        { allow: "POST" },
      );
    }
    const body = await readBody(req, res, http.maxBodyBytes, http.bodyTimeoutMs);
    if (body === undefined) return;
    const server = createServer(context);
    // A plain JSON answer is cheapest, but it can carry nothing before the result: when the client asked for
    // progress, the answer is an SSE stream so the notifications reach it (there is no session to send them on).
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: !asksForProgress(body),
    });
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  };

  const handleStateful = async (req: IncomingMessage, res: ServerResponse) => {
    const sessionId = header(req, "mcp-session-id");
    if (sessionId) {
      const session = sessions.get(sessionId);
      if (!session) return rpcError(res, 404, -32001, "Session not found: initialize a new session");
      session.lastSeen = Date.now();
      if (req.method === "POST") {
        session.busy++;
        res.once("close", () => {
          session.busy--;
          session.lastSeen = Date.now();
        });
      }
      const body =
        req.method === "POST" ? await readBody(req, res, http.maxBodyBytes, http.bodyTimeoutMs) : undefined;
      if (req.method === "POST" && body === undefined) return;
      return session.transport.handleRequest(req, res, body);
    }
    if (req.method !== "POST")
      return rpcError(res, 400, -32000, "Bad Request: no session; POST an initialize request first");
    const body = await readBody(req, res, http.maxBodyBytes, http.bodyTimeoutMs);
    if (body === undefined) return;
    const initializing = Array.isArray(body)
      ? body.some((m) => isInitializeRequest(m))
      : isInitializeRequest(body);
    if (!initializing)
      return rpcError(res, 400, -32000, "Bad Request: no session ID; POST an initialize request first");
    if (sessions.size + opening >= http.maxSessions) {
      log.warn("session limit reached", { sessions: sessions.size, max: http.maxSessions });
      return rpcError(
        res,
        503,
        -32000,
        `Too many sessions (${http.maxSessions}): close finished sessions (DELETE /mcp) or retry later; the operator can raise http.maxSessions`,
        { "retry-after": "30" },
      );
    }
    opening++;
    res.once("close", () => opening--);
    const server = createServer(context);
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, server, lastSeen: Date.now(), busy: 0 });
        log.info("session opened", { sessions: sessions.size });
      },
    });
    transport.onclose = () => {
      const id = transport.sessionId;
      if (id && sessions.delete(id)) log.info("session closed", { sessions: sessions.size });
      void server.close();
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  };

  // Headers are capped at 16 KiB (a 431 beyond), bodies at http.maxBodyBytes (a 413).
  const httpServer: Server = createHttpServer({ maxHeaderSize: 16 * 1024 }, (req, res) => {
    handler(req, res).catch((error) => {
      log.error("http request failed", { error });
      if (!res.headersSent) rpcError(res, 500, -32603, "Internal error");
      else res.end();
    });
  });
  httpServer.headersTimeout = 15_000;
  httpServer.requestTimeout = 0; // SSE streams are long-lived; idle sessions are reaped below instead.
  httpServer.keepAliveTimeout = 5_000;

  const reaper = setInterval(
    () => {
      const cutoff = Date.now() - http.sessionIdleMs;
      for (const [id, session] of sessions) {
        if (session.busy === 0 && session.lastSeen < cutoff) {
          log.info("closing idle session");
          sessions.delete(id);
          void session.transport.close();
        }
      }
    },
    Math.min(60_000, Math.max(1_000, http.sessionIdleMs / 4)),
  );
  reaper.unref();

  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(http.port, http.host, () => {
      httpServer.off("error", reject);
      resolve();
    });
  });
  const port = (httpServer.address() as AddressInfo).port;
  const displayHost = http.host.includes(":") ? `[${http.host}]` : http.host;
  const url = `http://${displayHost}:${port}/mcp`;
  log.info("listening", { url, stateless: http.stateless, auth: Boolean(policy.token) });

  worker?.start();
  if (worker)
    log.info("background handoff enabled", { webhook: `${url.replace(/\/mcp$/, "")}/webhooks/sentry` });

  return {
    url,
    port,
    sessionCount: () => sessions.size,
    close: async () => {
      clearInterval(reaper);
      await worker?.stop();
      await Promise.allSettled([...sessions.values()].map((s) => s.transport.close()));
      sessions.clear();
      await new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      });
    },
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Reads and parses a JSON body within the size limit and the body deadline; answers the error itself (and
 * closes the connection) and returns undefined on failure.
 */
async function readBody(
  req: IncomingMessage,
  res: ServerResponse,
  limit: number,
  timeoutMs: number,
): Promise<unknown> {
  const read = await readBodyBytes(req, { maxBytes: limit, timeoutMs });
  if (!read.ok) {
    if (read.reason === "aborted") return undefined;
    const [status, message] =
      read.reason === "too_large"
        ? [413, `Request body too large (limit ${limit} bytes)`]
        : [408, `Request body not received within ${timeoutMs / 1000} s`];
    rpcError(res, status, -32000, message, { connection: "close" });
    return undefined;
  }
  try {
    return JSON.parse(read.body.toString("utf8"));
  } catch {
    rpcError(res, 400, -32700, "Parse error: the body is not valid JSON");
    return undefined;
  }
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

function rpcError(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  json(res, status, { jsonrpc: "2.0", error: { code, message }, id: null }, headers);
}

/** Whether a JSON-RPC body (one message or a batch) carries a progress token in any request's `_meta`. */
function asksForProgress(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  return messages.some((m) => {
    const meta = (m as { params?: { _meta?: { progressToken?: unknown } } } | null)?.params?._meta;
    return meta?.progressToken !== undefined && meta.progressToken !== null;
  });
}
