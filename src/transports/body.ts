import type { IncomingMessage } from "node:http";

/**
 * Reads a request body within a size limit and a deadline. The server keeps no request timeout (SSE streams
 * are long-lived), so without the deadline a sender trickling one byte a second holds a socket and its
 * buffer for as long as it likes.
 */
export type BodyResult =
  | { ok: true; body: Buffer }
  | { ok: false; reason: "too_large" | "timeout" | "aborted" };

export async function readBodyBytes(
  req: IncomingMessage,
  limits: { maxBytes: number; timeoutMs: number },
): Promise<BodyResult> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limits.maxBytes) {
    req.resume();
    return { ok: false, reason: "too_large" };
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: BodyResult) => {
      clearTimeout(timer);
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("aborted", onError);
      resolve(result);
    };
    const timer = setTimeout(() => {
      finish({ ok: false, reason: "timeout" });
      req.resume();
    }, limits.timeoutMs);
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxBytes) {
        finish({ ok: false, reason: "too_large" });
        req.resume();
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish({ ok: true, body: Buffer.concat(chunks) });
    const onError = () => finish({ ok: false, reason: "aborted" });
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("aborted", onError);
  });
}
