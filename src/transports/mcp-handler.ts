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
  const { http } = context.config;
  const log = context.logger.child({ component: "http" });
  const sessions = new Map<string, Session>();
  /** Initialize requests answered but whose session is not registered yet: they count against the cap. */
  let opening = 0;

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

  const inSession = async (session: Session, req: IncomingMessage, res: ServerResponse) => {
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
  };

  const handleStateful = async (req: IncomingMessage, res: ServerResponse) => {
    const sessionId = header(req, "mcp-session-id");
    if (sessionId) {
      const session = sessions.get(sessionId);
      if (!session) return rpcError(res, 404, -32001, "Session not found: initialize a new session");
      return inSession(session, req, res);
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

  return {
    handle: http.stateless ? handleStateless : handleStateful,
    sessionCount: () => sessions.size,
    close: async () => {
      clearInterval(reaper);
      await Promise.allSettled([...sessions.values()].map((s) => s.transport.close()));
      sessions.clear();
    },
  };
}

/** Whether a JSON-RPC body (one message or a batch) carries a progress token in any request's `_meta`. */
function asksForProgress(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  return messages.some((m) => {
    const meta = (m as { params?: { _meta?: { progressToken?: unknown } } } | null)?.params?._meta;
    return meta?.progressToken !== undefined && meta.progressToken !== null;
  });
}
