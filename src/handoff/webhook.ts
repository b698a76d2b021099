import { createHmac, timingSafeEqual } from "node:crypto";
import { AppError, configError } from "../errors.ts";
import { obj, str, text } from "../sentry/lenient.ts";
import { apiError, type ErrorRule, headerValue, jsonRequest, ok } from "./http.ts";
import type {
  AgentCallback,
  Dispatcher,
  DispatcherDeps,
  DispatchRequest,
  DispatchResult,
  DispatchState,
  DispatchStatus,
  TargetConfig,
} from "./types.ts";

/**
 * A generic webhook target. We POST the brief as JSON with
 *   `X-Autofix-Timestamp: <unix seconds>`
 *   `X-Autofix-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`
 *   `Idempotency-Key: <dispatchId>`
 * Signing the timestamp with the body lets a receiver refuse replays (we refuse callbacks older than 5 min).
 * The POST is not retried in-process; the job retries later with the same Idempotency-Key, so a receiver
 * must treat a repeated key as the same request (answer 409, or 2xx with `duplicate: true`: we then report
 * `adopted`). A 2xx answer may carry `{id?, status?, url?, pr_url?}`. The receiver reports progress to our
 * callback URL (`/webhooks/webhook`), signed the same way; there is nothing to poll.
 */
function signAutofixPayload(secret: string, timestamp: string, rawBody: string | Buffer): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.`).update(rawBody).digest("hex")}`;
}

const SYNONYMS: Record<string, DispatchStatus> = {
  queued: "queued",
  pending: "queued",
  accepted: "queued",
  running: "running",
  in_progress: "running",
  started: "running",
  completed: "completed",
  succeeded: "completed",
  success: "completed",
  done: "completed",
  failed: "failed",
  failure: "failed",
  error: "failed",
  cancelled: "failed",
  canceled: "failed",
};
const statusOf = (s: unknown, fallback: DispatchStatus): DispatchStatus =>
  SYNONYMS[(text(s) ?? "").toLowerCase()] ?? fallback;

const SERVICE = "The webhook target";

export function webhookDispatcher(target: TargetConfig, deps: DispatcherDeps): Dispatcher {
  const url = target.url;
  const secret = target.secret;
  if (!url)
    throw configError(
      `handoff target "${target.name}" (webhook) has no url.`,
      "Set `url` on the target under handoff.targets in the config file.",
    );
  if (!secret)
    throw configError(
      `handoff target "${target.name}" (webhook) has no secret.`,
      "Set the variable its secretEnv names to a long random value shared with the receiver.",
    );
  const known = new Map<string, DispatchState>();
  return {
    type: "webhook",
    target: target.name,
    async dispatch(req: DispatchRequest, signal?: AbortSignal): Promise<DispatchResult> {
      const res = await postBrief(url, secret, req, deps.now?.() ?? Date.now(), signal);
      const duplicate = res.status === 409;
      if (!ok(res) && !duplicate) throw apiError(SERVICE, res, "accept the brief", rules(target.name));
      const body = obj(res.body);
      const externalId = str(body.id) ?? req.dispatchId;
      const state: DispatchState = {
        status: statusOf(body.status, "queued"),
        url: text(body.url),
        prUrl: text(body.pr_url),
        summary: text(body.summary),
      };
      known.set(externalId, state);
      return {
        externalId,
        status: state.status,
        url: state.url,
        prUrl: state.prUrl,
        adopted: duplicate || body.duplicate === true,
      };
    },
    async status(externalId: string): Promise<DispatchState> {
      return (
        known.get(externalId) ?? {
          status: "queued",
          url: null,
          prUrl: null,
          summary: "The receiver reports progress through our callback endpoint.",
        }
      );
    },
  };
}

/** What the receiver's refusals mean, and what to do about each. */
function rules(name: string): ErrorRule[] {
  return [
    {
      status: [401, 403],
      kind: "config",
      message: `The webhook receiver of "${name}" rejected our request (signature or authorization).`,
      hint: "Check that the receiver and the target's secretEnv hold the same secret, and that clocks agree.",
    },
    {
      status: [404, 405, 410],
      kind: "config",
      message: `The webhook receiver of "${name}" has no endpoint at the configured url.`,
      hint: "Check the target's url.",
    },
  ];
}

/** The brief as signed JSON: the receiver checks the signature over the timestamp and the raw body. */
function postBrief(url: string, secret: string, req: DispatchRequest, nowMs: number, signal?: AbortSignal) {
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
  const timestamp = String(Math.floor(nowMs / 1000));
  return jsonRequest(SERVICE, "POST", url, {
    rawBody: raw,
    signal,
    headers: {
      "content-type": "application/json",
      "idempotency-key": req.dispatchId,
      "x-autofix-timestamp": timestamp,
      "x-autofix-signature": signAutofixPayload(secret, timestamp, raw),
    },
  });
}

/**
 * Verifies a receiver's status callback, signed like our requests, and reads
 * `{dispatch_id | id, status, url?, pr_url?, summary?}`. Bad signatures and stale timestamps are refused.
 */
export function verifyAutofixCallback(
  rawBody: Buffer,
  headers: Record<string, string | string[] | undefined>,
  secret: string,
  nowSeconds: number,
  maxAgeSeconds = 300,
): AgentCallback {
  const refuse = (message: string, status = 401) =>
    new AppError("input", message, {
      status,
      service: "webhook",
      hint: "Sign `<timestamp>.<raw body>` with the shared secret and send it within 5 minutes.",
    });
  const timestamp = headerValue(headers, "x-autofix-timestamp") ?? "";
  const hex = /^sha256=([0-9a-f]{64})$/i.exec(
    (headerValue(headers, "x-autofix-signature") ?? "").trim(),
  )?.[1];
  if (!/^\d{1,12}$/.test(timestamp) || !hex) throw refuse("missing or malformed callback signature.");
  const expected = createHmac("sha256", secret).update(`${timestamp}.`).update(rawBody).digest();
  if (!timingSafeEqual(Buffer.from(hex, "hex"), expected)) throw refuse("invalid callback signature.");
  if (Math.abs(nowSeconds - Number(timestamp)) > maxAgeSeconds)
    throw refuse(`stale callback timestamp (more than ${maxAgeSeconds} s from our clock).`);
  let body: Record<string, unknown>;
  try {
    body = obj(JSON.parse(rawBody.toString("utf8")));
  } catch {
    throw refuse("the callback body is not JSON.", 400);
  }
  const id = str(body.dispatch_id) ?? str(body.id);
  if (!id) throw refuse("the callback names no dispatch (dispatch_id).", 400);
  return {
    externalId: id,
    state: {
      status: statusOf(body.status, "running"),
      url: text(body.url),
      prUrl: text(body.pr_url),
      summary: text(body.summary),
    },
  };
}
