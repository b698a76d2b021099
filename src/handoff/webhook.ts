import { createHmac, timingSafeEqual } from "node:crypto";
import { AppError, configError } from "../errors.ts";
import { obj, str, text } from "../sentry/lenient.ts";
import { apiError, jsonRequest, ok } from "./http.ts";
import type {
  AgentCallback,
  Dispatcher,
  DispatcherDeps,
  DispatchRequest,
  DispatchStatus,
  TargetConfig,
} from "./types.ts";

/**
 * A generic webhook target: the brief as JSON, signed `X-Autofix-Signature: sha256=<hex HMAC-SHA256(secret,
 * "<timestamp>.<raw body>")>` with `X-Autofix-Timestamp` (Unix seconds) and an `Idempotency-Key` (the
 * dispatch ID) so a receiver can drop a resend. The receiver may report back to `/webhooks/webhook`, signed
 * the same way.
 */
export function sign(secret: string, timestamp: string, raw: string | Buffer): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.`).update(raw).digest("hex")}`;
}

const STATUSES = new Set(["queued", "running", "completed", "failed"]);
const statusOf = (s: unknown): DispatchStatus =>
  typeof s === "string" && STATUSES.has(s) ? (s as DispatchStatus) : "queued";

export function webhookDispatcher(target: TargetConfig, deps: DispatcherDeps): Dispatcher {
  if (!target.url) throw configError(`handoff target "${target.name}" (webhook) has no url.`);
  if (!target.secret)
    throw configError(
      `handoff target "${target.name}" (webhook) has no secret.`,
      "Set the variable its secretEnv names to a long random value shared with the receiver.",
    );
  const last = new Map<string, { status: DispatchStatus; url: string | null; prUrl: string | null }>();
  return {
    type: "webhook",
    target: target.name,
    async dispatch(req: DispatchRequest, signal?: AbortSignal) {
      const raw = JSON.stringify({
        dispatch_id: req.dispatchId,
        run_id: req.runId,
        short_id: req.shortId,
        brief: req.brief,
        pr_title: req.prTitle,
        pr_body: req.prBody,
        branch: req.branch,
        base_branch: req.baseBranch,
        repository: req.repository,
        auto_create_pr: req.autoCreatePr,
        callback_url: req.callbackUrl,
      });
      const timestamp = String(Math.floor((deps.now?.() ?? Date.now()) / 1000));
      const res = await jsonRequest("the webhook target", "POST", target.url!, {
        rawBody: raw,
        signal,
        headers: {
          "idempotency-key": req.dispatchId,
          "x-autofix-timestamp": timestamp,
          "x-autofix-signature": sign(target.secret!, timestamp, raw),
        },
      });
      if (!ok(res)) throw apiError("The webhook target", res, "accept the brief");
      const body = obj(res.body);
      const result = { status: statusOf(body.status), url: text(body.url), prUrl: text(body.pr_url) };
      last.set(str(body.id) ?? req.dispatchId, result);
      return {
        externalId: str(body.id) ?? req.dispatchId,
        ...result,
        adopted: res.status === 200 && body.duplicate === true,
      };
    },
    async status(externalId: string) {
      const known = last.get(externalId);
      return {
        status: known?.status ?? "queued",
        url: known?.url ?? null,
        prUrl: known?.prUrl ?? null,
        summary: "reported by the receiver's callback",
      };
    },
  };
}

/** Verifies a receiver's status callback and reads it. Stale timestamps are refused. */
export function verifyAutofixCallback(
  raw: Buffer,
  headers: Record<string, string | string[] | undefined>,
  secret: string,
  nowSeconds: number,
  maxAgeSeconds = 300,
): AgentCallback {
  const one = (name: string) => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const timestamp = one("x-autofix-timestamp") ?? "";
  const given = one("x-autofix-signature") ?? "";
  const expected = Buffer.from(sign(secret, timestamp, raw));
  const supplied = Buffer.from(given);
  if (supplied.length !== expected.length || !timingSafeEqual(supplied, expected))
    throw new AppError("input", "invalid callback signature", { status: 401 });
  if (!/^\d+$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > maxAgeSeconds)
    throw new AppError("input", "stale callback timestamp", { status: 401 });
  let body: Record<string, unknown>;
  try {
    body = obj(JSON.parse(raw.toString("utf8")));
  } catch {
    throw new AppError("input", "the callback body is not JSON", { status: 400 });
  }
  const id = str(body.dispatch_id) ?? str(body.id);
  if (!id) throw new AppError("input", "the callback names no dispatch", { status: 400 });
  return {
    externalId: id,
    state: {
      status: statusOf(body.status),
      url: text(body.url),
      prUrl: text(body.pr_url),
      summary: text(body.summary),
    },
  };
}
