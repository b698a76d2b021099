import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { type Reply, serveJson } from "./serve.ts";

/**
 * A webhook receiver on 127.0.0.1 that records every delivery (raw body and headers) and checks our
 * `X-Autofix-Signature` scheme with its own HMAC code, independent of src/. It answers `reply` (default
 * 202 `{status: "queued"}`); a receiver that honours `Idempotency-Key` can be simulated with `dedupe`.
 * Also usable as the callback endpoint for Cursor's webhooks: tests verify `raw` with verifyCursorWebhook.
 */
export interface Delivery {
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: unknown;
  /** The X-Autofix signature matches `secret` over `<timestamp>.<raw body>`. */
  verified: boolean;
}

export interface WebhookReceiver {
  url: string;
  deliveries: Delivery[];
  /** What to answer; the default is 202 `{status: "queued"}`. */
  reply: Reply;
  /** Answer 409 to a repeated Idempotency-Key. */
  dedupe: boolean;
  /** Record the next delivery this matches and never answer it: the sender is left waiting (and killed). */
  holdNext(match: (body: Record<string, unknown>) => boolean): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(options: { secret?: string } = {}): Promise<WebhookReceiver> {
  const deliveries: Delivery[] = [];
  const seen = new Set<string>();
  let hold: ((body: Record<string, unknown>) => boolean) | null = null;
  const receiver: WebhookReceiver = {
    url: "",
    deliveries,
    reply: { status: 202, body: { status: "queued" } },
    dedupe: false,
    holdNext: (match) => {
      hold = match;
    },
    close: async () => {},
  };
  const server = await serveJson((req) => {
    const timestamp = String(req.headers["x-autofix-timestamp"] ?? "");
    const given = String(req.headers["x-autofix-signature"] ?? "");
    let verified = false;
    if (options.secret && given.startsWith("sha256=")) {
      const want = createHmac("sha256", options.secret).update(`${timestamp}.${req.raw}`).digest();
      const got = Buffer.from(given.slice(7), "hex");
      verified = got.length === want.length && timingSafeEqual(got, want);
    }
    deliveries.push({ path: req.path, headers: req.headers, raw: req.raw, body: req.body, verified });
    if (hold?.((req.body ?? {}) as Record<string, unknown>)) {
      hold = null;
      return new Promise<Reply>(() => undefined);
    }
    const key = String(req.headers["idempotency-key"] ?? "");
    if (receiver.dedupe && key && seen.has(key)) return { status: 409, body: { duplicate: true } };
    if (key) seen.add(key);
    return receiver.reply;
  });
  receiver.url = server.url;
  receiver.close = server.close;
  return receiver;
}
