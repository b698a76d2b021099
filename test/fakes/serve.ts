import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * The plumbing the agent-API fakes share: a real HTTP server on 127.0.0.1, every request recorded, JSON
 * replies, an optional delay, and injected failures. A failure with `process: true` lets the request take
 * effect and then answers with the failure — an upstream that created the agent but lost the response.
 */
export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  raw: string;
  body: unknown;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Failure extends Reply {
  /** How many matching requests fail (default 1). */
  times?: number;
  method?: string;
  path?: RegExp;
  process?: boolean;
}

export interface JsonServer {
  url: string;
  requests: FakeRequest[];
  inject(failure: Failure): void;
  setLatency(ms: number): void;
  close(): Promise<void>;
}

export async function serveJson(handler: (req: FakeRequest) => Reply | Promise<Reply>): Promise<JsonServer> {
  const requests: FakeRequest[] = [];
  const failures: Array<Failure & { left: number }> = [];
  let latency = 0;
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://fake");
    let body: unknown = null;
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {
      body = raw;
    }
    const request: FakeRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      raw,
      body,
    };
    requests.push(request);
    if (latency > 0) await new Promise((r) => setTimeout(r, latency));
    const failure = failures.find(
      (f) =>
        f.left > 0 && (!f.method || f.method === request.method) && (!f.path || f.path.test(request.path)),
    );
    let reply: Reply;
    try {
      if (failure) failure.left--;
      const handled = !failure || failure.process ? await handler(request) : null;
      reply = failure ?? handled!;
    } catch (error) {
      reply = { status: 500, body: { message: `fake error: ${(error as Error).message}` } };
    }
    if (res.destroyed) return;
    res.writeHead(reply.status, { "content-type": "application/json; charset=utf-8", ...reply.headers });
    res.end(reply.body === undefined ? "" : JSON.stringify(reply.body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    inject: (failure) => failures.push({ ...failure, left: failure.times ?? 1 }),
    setLatency: (ms) => {
      latency = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** `/a/:b/c` style matching: the named segments, or null. */
export function route(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split("/");
  const got = path.split("/");
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (const [i, part] of want.entries()) {
    const seg = got[i] ?? "";
    if (part.startsWith(":")) params[part.slice(1)] = decodeURIComponent(seg);
    else if (part !== seg) return null;
  }
  return params;
}

export const bearer = (req: FakeRequest) =>
  /^Bearer (.+)$/i.exec(req.headers.authorization ?? "")?.[1] ?? null;
