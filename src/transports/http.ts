import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { isLoopbackHost } from "../config.ts";
import type { Context } from "../context.ts";
import { configError } from "../errors.ts";
import { SERVER_NAME, SERVER_VERSION } from "../server.ts";
import { type GuardPolicy, hostAllowed, isWildcardBind, originAllowed, tokenMatches } from "./http-guard.ts";
import { header, json, rpcError } from "./http-io.ts";
import { mcpHandler } from "./mcp-handler.ts";
import { operatorRoute } from "./operator.ts";
import { handleWebhook, type JobWaker, type WebhookLimits } from "./webhooks.ts";

/**
 * Streamable HTTP on node:http: the routes (`/mcp`, `/healthz`, `/webhooks/…`) behind the guards. Every
 * request passes the Host and Origin checks; `/mcp` also needs the bearer token when one is configured (and
 * one must be when the server listens beyond loopback). `/mcp` itself is src/transports/mcp-handler.ts.
 */
export interface HttpHandle {
  url: string;
  port: number;
  sessionCount(): number;
  close(): Promise<void>;
}

interface HttpOptions {
  /** The background worker, when webhooks feed one (the CLI starts it): a queued job wakes it. */
  worker?: JobWaker | null;
}

const WEBHOOK_MAX_BYTES = 256 * 1024;
const WEBHOOK_MAX_READING = 16;

export async function serveHttp(context: Context, options: HttpOptions = {}): Promise<HttpHandle> {
  const policy = guardPolicy(context);
  const worker = options.worker ?? null;
  const mcp = mcpHandler(context);
  const log = context.logger.child({ component: "http" });
  // Webhook bodies are read before anyone is authenticated (the HMAC covers the body): smaller, and only
  // a few at a time.
  const webhookLimits: WebhookLimits = {
    maxBytes: Math.min(context.config.http.maxBodyBytes, WEBHOOK_MAX_BYTES),
    timeoutMs: context.config.http.bodyTimeoutMs,
    reading: 0,
    maxReading: WEBHOOK_MAX_READING,
  };
  const operatorPage = operatorRoute(context, {
    sessionCount: () => mcp.sessionCount(),
    automation: worker !== null,
    kick: () => worker?.kick(),
  });

  const route = router({ context, policy, worker, mcp, webhookLimits, operatorPage });

  // Headers are capped at 16 KiB (a 431 beyond), bodies at http.maxBodyBytes (a 413).
  const httpServer: Server = createHttpServer({ maxHeaderSize: 16 * 1024 }, (req, res) => {
    route(req, res).catch((error) => {
      log.error("http request failed", { error });
      if (!res.headersSent) rpcError(res, 500, -32603, "Internal error");
      else res.end();
    });
  });
  httpServer.headersTimeout = 15_000;
  httpServer.requestTimeout = 0; // SSE streams are long-lived; idle sessions are reaped instead.
  httpServer.keepAliveTimeout = 5_000;

  const { http } = context.config;
  const { port, url } = await listen(httpServer, http.host, http.port);
  log.info("listening", { url, stateless: http.stateless, auth: Boolean(policy.token) });

  return {
    url,
    port,
    sessionCount: () => mcp.sessionCount(),
    close: async () => {
      await mcp.close();
      await new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      });
    },
  };
}

/** What the routes need: the guards' policy, the MCP entry, the webhook limits, the operator page. */
interface Routes {
  context: Context;
  policy: GuardPolicy;
  worker: JobWaker | null;
  mcp: ReturnType<typeof mcpHandler>;
  webhookLimits: WebhookLimits;
  operatorPage: ReturnType<typeof operatorRoute>;
}

/** The guards every request passes (Host, Origin; a token for /mcp), then the route by path. */
function router({ context, policy, worker, mcp, webhookLimits, operatorPage }: Routes) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0];
    // Which replica answered: behind a load balancer, stateful sessions need affinity to it.
    res.setHeader("x-autofix-replica", context.config.store.replicaId);
    if (!hostAllowed(req.headers.host, policy))
      return rpcError(res, 403, -32000, "Forbidden: Host header not allowed");
    if (!originAllowed(header(req, "origin"), policy))
      return rpcError(res, 403, -32000, "Forbidden: Origin not allowed");
    if (path === "/healthz") {
      if (req.method !== "GET") return rpcError(res, 405, -32000, "Method not allowed", { allow: "GET" });
      return json(res, 200, await health(context, mcp.sessionCount(), worker !== null));
    }
    if (path?.startsWith("/webhooks/"))
      return handleWebhook(context, worker, path.slice("/webhooks/".length), req, res, webhookLimits);
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
    return mcp.handle(req, res);
  };
}

async function listen(
  httpServer: Server,
  host: string,
  port: number,
): Promise<{ port: number; url: string }> {
  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(port, host, () => {
      httpServer.off("error", reject);
      resolve();
    });
  });
  const bound = (httpServer.address() as AddressInfo).port;
  const displayHost = host.includes(":") ? `[${host}]` : host;
  return { port: bound, url: `http://${displayHost}:${bound}/mcp` };
}

/** The guards' settings; refuses to listen beyond loopback without a token. */
function guardPolicy(context: Context): GuardPolicy {
  const { http } = context.config;
  if (!isLoopbackHost(http.host) && !http.token) {
    throw configError(
      `listening on ${http.host} (beyond loopback) without a token would let anyone on the network use this server.`,
      "Set AUTOFIX_HTTP_TOKEN to a long random value (e.g. openssl rand -hex 32), or bind to 127.0.0.1.",
    );
  }
  if (isWildcardBind(http.host) && http.allowedHosts.length === 0) {
    context.logger.warn(
      "listening on all interfaces without --allowed-hosts: only requests addressed to loopback names pass the Host check",
    );
  }
  return {
    bindHost: http.host,
    allowedHosts: http.allowedHosts,
    allowedOrigins: http.allowedOrigins,
    token: http.token,
  };
}

/** GET /healthz: liveness and load, with the job queue's depth when background handoff is on. */
async function health(context: Context, sessions: number, background: boolean) {
  const database = await context.database();
  const queue = background && database.reachable ? context.queue().depth() : null;
  return {
    status: database.reachable ? "ok" : "degraded",
    replica: context.config.store.replicaId,
    database,
    name: SERVER_NAME,
    version: SERVER_VERSION,
    sessions,
    memory: {
      rss_mb: Math.round(process.memoryUsage().rss / 1048576),
      heap_used_mb: Math.round(process.memoryUsage().heapUsed / 1048576),
    },
    analyses: { running: context.analyses.running, waiting: context.analyses.waiting },
    ...(queue ? { queue } : {}),
  };
}
