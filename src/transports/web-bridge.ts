import { once } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * node:http ⇄ web-standard Request/Response, for the SDK's HTTP entries (which speak fetch). Our own guards,
 * limits and body parsing run first; the body arrives here parsed, and the SDK gets it both as the request's
 * bytes and as `parsedBody`.
 */

/** A Request for a node:http request whose body was already read; aborted when the client goes away. */
export function toWebRequest(req: IncomingMessage, res: ServerResponse, body: unknown): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  const abort = new AbortController();
  res.once("close", () => abort.abort(new Error("the client closed the connection")));
  const host = headers.get("host") ?? "localhost";
  const hasBody = body !== undefined && req.method !== "GET" && req.method !== "HEAD";
  return new Request(`http://${host}${req.url ?? "/"}`, {
    method: req.method ?? "GET",
    headers,
    body: hasBody ? JSON.stringify(body) : undefined,
    signal: abort.signal,
  });
}

/** Writes a web Response to node:http, streaming its body (SSE included) until it ends or the client leaves. */
export async function sendWebResponse(res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status;
  response.headers.forEach((value, name) => {
    res.setHeader(name, value);
  });
  if (!response.body) {
    res.end();
    return;
  }
  res.flushHeaders();
  const reader = response.body.getReader();
  const stop = () => void reader.cancel().catch(() => undefined);
  res.once("close", stop);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || res.destroyed) break;
      if (!res.write(value)) await Promise.race([once(res, "drain"), once(res, "close")]);
    }
  } catch {
    // The stream was cancelled because the client left: nothing more to write.
  } finally {
    res.off("close", stop);
    if (!res.writableEnded) res.end();
  }
}
