import type { IncomingMessage, ServerResponse } from "node:http";
import { readBodyBytes } from "./body.ts";

/** Reading requests and writing JSON and JSON-RPC error answers, for the HTTP transport's handlers. */

export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Reads and parses a JSON body within the size limit and the body deadline; answers the error itself (and
 * closes the connection) and returns undefined on failure.
 */
export async function readBody(
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

export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

export function rpcError(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  json(res, status, { jsonrpc: "2.0", error: { code, message }, id: null }, headers);
}
