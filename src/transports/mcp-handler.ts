import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  createMcpHandler,
  isInitializeRequest,
  isLegacyRequest,
  type McpHttpHandler,
  type McpServer,
  WebStandardStreamableHTTPServerTransport,
} from "@modelcontextprotocol/server";
import type { Context } from "../context.ts";
import { createServer, runUri } from "../server.ts";
import { header, readBody, rpcError } from "./http-io.ts";
import { sendWebResponse, toWebRequest } from "./web-bridge.ts";

/**
 * `/mcp` once a request has passed the guards. A 2026-07-28 request (it carries the protocol envelope) goes to
 * the SDK's per-request entry, in either mode: that revision has no sessions, and run updates reach its
 * clients on `subscriptions/listen` streams. A 2025-era request is served as before: Streamable HTTP with
 * sessions (at most `http.maxSessions`, idle ones closed by a reaper), or stateless, each POST on its own.
 */
interface McpHandler {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  sessionCount(): number;
  close(): Promise<void>;
}

interface Session {
  transport: WebStandardStreamableHTTPServerTransport;
  server: McpServer;
  lastSeen: number;
  /** POSTs still being answered: a session is never idle while it waits for a tool call. */
  busy: number;
}

export function mcpHandler(context: Context): McpHandler {
  return new McpSessions(context);
}

class McpSessions implements McpHandler {
  private readonly http: Context["config"]["http"];
  private readonly log: Context["logger"];
  private readonly sessions = new Map<string, Session>();
  /** Initialize requests answered but whose session is not registered yet: they count against the cap. */
  private opening = 0;
  private readonly reaper: NodeJS.Timeout;
  /** The 2026-07-28 entry: a fresh server per request; run changes go out through its notifier. */
  private readonly modern: McpHttpHandler;
  private readonly offChanges: () => void;

  constructor(private readonly context: Context) {
    this.http = context.config.http;
    this.log = context.logger.child({ component: "http" });
    this.reaper = setInterval(
      () => this.reap(),
      Math.min(60_000, Math.max(1_000, this.http.sessionIdleMs / 4)),
    );
    this.reaper.unref();
    this.modern = createMcpHandler(({ era }) => createServer(context, { era, runUpdates: "handler" }), {
      legacy: "reject",
      maxRequestBodySize: this.http.maxBodyBytes,
    });
    this.offChanges = context.changes.on((runId) => this.modern.notify.resourceUpdated(runUri(runId)));
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== "POST")
      return this.http.stateless ? this.stateless(req, res) : this.stateful(req, res);
    const body = await readBody(req, res, this.http.maxBodyBytes, this.http.bodyTimeoutMs);
    if (body === undefined) return;
    const request = toWebRequest(req, res, body);
    if (!(await isLegacyRequest(request, body)))
      return sendWebResponse(res, await this.modern.fetch(request, { parsedBody: body }));
    return this.http.stateless ? this.stateless(req, res, body) : this.stateful(req, res, body);
  }

  sessionCount(): number {
    return this.sessions.size;
  }

  async close(): Promise<void> {
    clearInterval(this.reaper);
    this.offChanges();
    await this.modern.close();
    await Promise.allSettled([...this.sessions.values()].map((s) => s.transport.close()));
    this.sessions.clear();
  }

  private async stateless(req: IncomingMessage, res: ServerResponse, body?: unknown): Promise<void> {
    if (req.method !== "POST") {
      return rpcError(
        res,
        405,
        -32000,
        "Method not allowed: this server runs stateless; POST JSON-RPC to /mcp",
        { allow: "POST" },
      );
    }
    const server = createServer(this.context, { era: "legacy" });
    // A plain JSON answer is cheapest, but it can carry nothing before the result: when the client asked for
    // progress, the answer is an SSE stream so the notifications reach it (there is no session to send them on).
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: !asksForProgress(body),
    });
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await serveLegacy(transport, req, res, body);
  }

  private async stateful(req: IncomingMessage, res: ServerResponse, body?: unknown): Promise<void> {
    const sessionId = header(req, "mcp-session-id");
    if (sessionId) {
      const session = this.sessions.get(sessionId);
      if (!session) return rpcError(res, 404, -32001, "Session not found: initialize a new session");
      return this.inSession(session, req, res, body);
    }
    if (req.method !== "POST")
      return rpcError(res, 400, -32000, "Bad Request: no session; POST an initialize request first");
    const initializing = Array.isArray(body)
      ? body.some((m) => isInitializeRequest(m))
      : isInitializeRequest(body);
    if (!initializing)
      return rpcError(res, 400, -32000, "Bad Request: no session ID; POST an initialize request first");
    if (this.sessions.size + this.opening >= this.http.maxSessions) {
      this.log.warn("session limit reached", { sessions: this.sessions.size, max: this.http.maxSessions });
      return rpcError(
        res,
        503,
        -32000,
        `Too many sessions (${this.http.maxSessions}): close finished sessions (DELETE /mcp) or retry later; the operator can raise http.maxSessions`,
        { "retry-after": "30" },
      );
    }
    return this.open(req, res, body);
  }

  private async inSession(
    session: Session,
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
  ): Promise<void> {
    session.lastSeen = Date.now();
    if (req.method === "POST") {
      session.busy++;
      res.once("close", () => {
        session.busy--;
        session.lastSeen = Date.now();
      });
    }
    return serveLegacy(session.transport, req, res, body);
  }

  /** A new session for an initialize request. */
  private async open(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    this.opening++;
    res.once("close", () => this.opening--);
    const server = createServer(this.context, { era: "legacy" });
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        this.sessions.set(id, { transport, server, lastSeen: Date.now(), busy: 0 });
        this.log.info("session opened", { sessions: this.sessions.size });
      },
    });
    transport.onclose = () => {
      const id = transport.sessionId;
      if (id && this.sessions.delete(id)) this.log.info("session closed", { sessions: this.sessions.size });
      void server.close();
    };
    await server.connect(transport);
    await serveLegacy(transport, req, res, body);
  }

  /** Closes sessions idle longer than http.sessionIdleMs; one waiting for a tool call is never idle. */
  private reap(): void {
    const cutoff = Date.now() - this.http.sessionIdleMs;
    for (const [id, session] of this.sessions) {
      if (session.busy === 0 && session.lastSeen < cutoff) {
        this.log.info("closing idle session");
        this.sessions.delete(id);
        void session.transport.close();
      }
    }
  }
}

/** One 2025-era request through the SDK's Streamable HTTP transport (a session's, or a stateless one). */
async function serveLegacy(
  transport: WebStandardStreamableHTTPServerTransport,
  req: IncomingMessage,
  res: ServerResponse,
  body: unknown,
): Promise<void> {
  const request = toWebRequest(req, res, body);
  await sendWebResponse(res, await transport.handleRequest(request, { parsedBody: body }));
}

/** Whether a JSON-RPC body (one message or a batch) carries a progress token in any request's `_meta`. */
function asksForProgress(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  return messages.some((m) => {
    const meta = (m as { params?: { _meta?: { progressToken?: unknown } } } | null)?.params?._meta;
    return meta?.progressToken !== undefined && meta.progressToken !== null;
  });
}
