import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import type { Context } from "../context.ts";
import { createServer } from "../server.ts";
import { header, readBody, rpcError } from "./http-io.ts";

/**
 * `/mcp` once a request has passed the guards: Streamable HTTP with sessions (at most `http.maxSessions`,
 * idle ones closed by a reaper), or stateless, each POST answered on its own.
 */
interface McpHandler {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  sessionCount(): number;
  close(): Promise<void>;
}

interface Session {
  transport: StreamableHTTPServerTransport;
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

  constructor(private readonly context: Context) {
    this.http = context.config.http;
    this.log = context.logger.child({ component: "http" });
    this.reaper = setInterval(
      () => this.reap(),
      Math.min(60_000, Math.max(1_000, this.http.sessionIdleMs / 4)),
    );
    this.reaper.unref();
  }

  handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    return this.http.stateless ? this.stateless(req, res) : this.stateful(req, res);
  }

  sessionCount(): number {
    return this.sessions.size;
  }

  async close(): Promise<void> {
    clearInterval(this.reaper);
    await Promise.allSettled([...this.sessions.values()].map((s) => s.transport.close()));
    this.sessions.clear();
  }

  private async stateless(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== "POST") {
      return rpcError(
        res,
        405,
        -32000,
        "Method not allowed: this server runs stateless; POST JSON-RPC to /mcp",
        { allow: "POST" },
      );
    }
    const body = await readBody(req, res, this.http.maxBodyBytes, this.http.bodyTimeoutMs);
    if (body === undefined) return;
    const server = createServer(this.context);
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
  }

  private async stateful(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const sessionId = header(req, "mcp-session-id");
    if (sessionId) {
      const session = this.sessions.get(sessionId);
      if (!session) return rpcError(res, 404, -32001, "Session not found: initialize a new session");
      return this.inSession(session, req, res);
    }
    if (req.method !== "POST")
      return rpcError(res, 400, -32000, "Bad Request: no session; POST an initialize request first");
    const body = await readBody(req, res, this.http.maxBodyBytes, this.http.bodyTimeoutMs);
    if (body === undefined) return;
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

  private async inSession(session: Session, req: IncomingMessage, res: ServerResponse): Promise<void> {
    session.lastSeen = Date.now();
    if (req.method === "POST") {
      session.busy++;
      res.once("close", () => {
        session.busy--;
        session.lastSeen = Date.now();
      });
    }
    const body =
      req.method === "POST"
        ? await readBody(req, res, this.http.maxBodyBytes, this.http.bodyTimeoutMs)
        : undefined;
    if (req.method === "POST" && body === undefined) return;
    return session.transport.handleRequest(req, res, body);
  }

  /** A new session for an initialize request. */
  private async open(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    this.opening++;
    res.once("close", () => this.opening--);
    const server = createServer(this.context);
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
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
    await transport.handleRequest(req, res, body);
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

/** Whether a JSON-RPC body (one message or a batch) carries a progress token in any request's `_meta`. */
function asksForProgress(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  return messages.some((m) => {
    const meta = (m as { params?: { _meta?: { progressToken?: unknown } } } | null)?.params?._meta;
    return meta?.progressToken !== undefined && meta.progressToken !== null;
  });
}
