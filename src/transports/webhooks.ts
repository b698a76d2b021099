import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { freshTimestamp, readSentryWebhook, verifySentrySignature } from "../automation/sentry-webhook.ts";
import type { Context } from "../context.ts";
import { checkAgentState } from "../handoff/agent-urls.ts";
import { type CallbackKind, callbackKind, TARGET_KINDS } from "../handoff/targets.ts";
import type { AgentCallback } from "../handoff/types.ts";
import { type BodyResult, readBodyBytes } from "./body.ts";

/**
 * Incoming webhooks on the HTTP transport, authenticated by HMAC rather than the bearer token:
 * `POST /webhooks/sentry` (Sentry's integration platform) and `POST /webhooks/<agent>` (status callbacks of
 * the coding agents we dispatched). Each is answered fast — a delivery is verified, recorded and queued in
 * one SQLite transaction — and the work happens in the background worker.
 */

/** What a webhook needs of the background worker: a nudge when there is new work. */
export interface JobWaker {
  kick(): void;
}

export interface WebhookLimits {
  maxBytes: number;
  timeoutMs: number;
  /** Bodies being read now, and the most at once: beyond it a sender gets 503 before we buffer anything. */
  reading: number;
  maxReading: number;
}

export async function handleWebhook(
  ctx: Context,
  worker: JobWaker | null,
  kind: string,
  req: IncomingMessage,
  res: ServerResponse,
  limits: WebhookLimits,
): Promise<void> {
  if (req.method !== "POST") return reply(res, 405, { error: "POST only" });
  const agentKind = kind === "sentry" ? null : callbackKind(kind);
  if (kind !== "sentry" && !agentKind)
    return reply(res, 404, {
      error: `no webhook endpoint "${kind}"`,
      endpoints: ["sentry", ...TARGET_KINDS.filter((k) => "verifyCallback" in k).map((k) => k.type)].map(
        (k) => `/webhooks/${k}`,
      ),
    });
  // A disabled route answers before the body is read: nobody can make us buffer for nothing.
  const disabled = agentKind ? agentDisabled(ctx, agentKind.type) : sentryDisabled(ctx);
  if (disabled) return reply(res, 503, { error: disabled }, true);
  if (limits.reading >= limits.maxReading)
    return reply(res, 503, { error: "too many webhook deliveries in flight; retry shortly" }, true);
  limits.reading++;
  let read: BodyResult;
  try {
    read = await readBodyBytes(req, limits);
  } finally {
    limits.reading--;
  }
  if (!read.ok) {
    if (read.reason === "too_large")
      return reply(res, 413, { error: `body over ${limits.maxBytes} bytes` }, true);
    if (read.reason === "timeout")
      return reply(res, 408, { error: `body not received within ${limits.timeoutMs / 1000} s` }, true);
    return;
  }
  if (!agentKind) return sentry(ctx, worker, req, res, read.body);
  return agent(ctx, worker, agentKind, req, res, read.body);
}

function sentryDisabled(ctx: Context): string | null {
  const automation = ctx.config.automation;
  return automation.enabled && automation.webhookSecret
    ? null
    : `Sentry webhooks are not enabled here: set ${automation.webhookSecretEnv} to the integration's client secret`;
}

function agentDisabled(ctx: Context, kind: string): string | null {
  return ctx.config.handoff.targets.some((t) => t.type === kind && t.secret)
    ? null
    : `no ${kind} target with a secret is configured`;
}

function sentry(
  ctx: Context,
  worker: JobWaker | null,
  req: IncomingMessage,
  res: ServerResponse,
  raw: Buffer,
) {
  const automation = ctx.config.automation;
  if (!automation.webhookSecret) return reply(res, 503, { error: sentryDisabled(ctx) });
  if (!verifySentrySignature(raw, header(req, "sentry-hook-signature"), automation.webhookSecret)) {
    ctx.logger.warn("sentry webhook with a bad signature");
    return reply(res, 401, { error: "invalid Sentry-Hook-Signature" });
  }
  if (
    !freshTimestamp(header(req, "sentry-hook-timestamp"), ctx.clock.now(), automation.maxWebhookAgeSeconds)
  ) {
    return reply(res, 401, {
      error: `stale or missing Sentry-Hook-Timestamp (older than ${automation.maxWebhookAgeSeconds} s)`,
    });
  }
  let body: unknown;
  try {
    body = JSON.parse(raw.toString("utf8"));
  } catch {
    return reply(res, 400, { error: "the body is not JSON" });
  }
  const verdict = readSentryWebhook(header(req, "sentry-hook-resource"), body);
  if (verdict.kind === "reject") return reply(res, verdict.status, { error: verdict.reason });
  if (verdict.kind === "ignore") return reply(res, 200, { status: "ignored", reason: verdict.reason });
  const org = verdict.org ?? ctx.config.sentry.org;
  if (!org)
    return reply(res, 422, {
      error: "cannot tell the organization: the payload has no issue URL and SENTRY_ORG is not set",
    });
  const requestId =
    header(req, "request-id") ??
    `${verdict.resource}:${verdict.action}:${verdict.issueId}:${header(req, "sentry-hook-timestamp")}`;
  const outcome = ctx.queue().enqueue({
    requestId,
    resource: verdict.resource,
    action: verdict.action,
    org,
    issueId: verdict.issueId,
    shortId: verdict.shortId,
    bodyDigest: createHash("sha256").update(raw).digest("hex"),
  });
  ctx.logger.info("sentry webhook", {
    resource: verdict.resource,
    action: verdict.action,
    issue: verdict.issueId,
    outcome: outcome.kind,
  });
  if (outcome.kind === "queued") {
    worker?.kick();
    return reply(res, 202, { status: "queued", job_id: outcome.jobId });
  }
  return reply(res, 200, {
    status: outcome.kind,
    ...(outcome.kind === "duplicate_issue" ? { job_id: outcome.jobId } : {}),
  });
}

function agent(
  ctx: Context,
  worker: JobWaker | null,
  agentKind: CallbackKind,
  req: IncomingMessage,
  res: ServerResponse,
  raw: Buffer,
) {
  const kind = agentKind.type;
  const targets = ctx.config.handoff.targets.filter((t) => t.type === kind && t.secret);
  // Every target whose secret verifies the delivery (targets may share a secret); the callback may touch
  // only a dispatch of one of them.
  let callback: AgentCallback | null = null;
  const verifiedBy = new Set<string>();
  for (const t of targets) {
    try {
      callback = agentKind.verifyCallback(raw, req.headers, t.secret!, Math.floor(ctx.clock.now() / 1000));
      verifiedBy.add(t.name);
    } catch {
      // Try the next target's secret; none matching is a 401 below.
    }
  }
  if (!callback) return reply(res, 401, { error: "invalid signature" });
  const queue = ctx.queue();
  const found = queue.dispatchByExternal(kind, callback.externalId) ?? queue.dispatch(callback.externalId);
  const dispatch = found && found.type === kind && verifiedBy.has(found.target) ? found : null;
  if (!dispatch)
    return reply(res, 404, {
      error: `no dispatch for agent ${callback.externalId} of the target whose secret signed this callback`,
    });
  if (dispatch.callbackToken && !sameSecret(callbackToken(req), dispatch.callbackToken)) {
    ctx.logger.warn("agent callback without its dispatch's token", { dispatch: dispatch.id });
    return reply(res, 401, {
      error: "missing or wrong callback token: call back to the exact callback_url this dispatch was given",
    });
  }
  const { state, problems } = checkAgentState(callback.state, {
    repository: dispatch.repository,
    githubApiUrl: ctx.config.github.apiUrl,
  });
  if (problems.length > 0)
    return reply(res, 422, { error: `refused: ${problems.join("; ")}`, recorded: false });
  if (dispatch.status === "completed" || dispatch.status === "failed") {
    return reply(res, 200, { status: "ignored", reason: `the dispatch is already ${dispatch.status}` });
  }
  queue.updateDispatch(dispatch.id, {
    status: state.status,
    url: state.url,
    prUrl: state.prUrl,
    summary: state.summary,
  });
  ctx.logger.info("agent status", { dispatch: dispatch.id, status: state.status, pr: state.prUrl });
  // A finished agent closes its job now rather than at the next status poll.
  const finished = state.status === "completed" || state.status === "failed";
  if (finished && dispatch.jobId && queue.wake(dispatch.jobId)) worker?.kick();
  return reply(res, 200, { status: "recorded" });
}

function callbackToken(req: IncomingMessage): string {
  return new URL(req.url ?? "/", "http://callback").searchParams.get("token") ?? "";
}

function sameSecret(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** `close`: the body was not (fully) read, so the connection is not reused. */
function reply(res: ServerResponse, status: number, body: unknown, close = false): void {
  res.writeHead(status, { "content-type": "application/json", ...(close ? { connection: "close" } : {}) });
  res.end(JSON.stringify(body));
}
