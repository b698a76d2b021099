import { createHmac, timingSafeEqual } from "node:crypto";
import { AppError, configError } from "../errors.ts";
import { arr, isObj, obj, str, text } from "../sentry/lenient.ts";
import { apiError, jsonRequest, ok } from "./http.ts";
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
 * Cursor Cloud Agents, API v0: an agent is launched with the brief as its prompt on a GitHub repository and
 * ref; it reports `statusChange` to our webhook (HMAC-signed) and can be polled. The branch name we ask for
 * is unique per run, so after a crash an agent we already launched is found by it and adopted.
 */
export function cursorStatus(status: string | null): DispatchStatus {
  switch ((status ?? "").toUpperCase()) {
    case "CREATING":
      return "queued";
    case "FINISHED":
      return "completed";
    case "ERROR":
    case "EXPIRED":
      return "failed";
    default:
      return "running";
  }
}

function state(agent: Record<string, unknown>): DispatchState {
  const target = obj(agent.target);
  return {
    status: cursorStatus(text(agent.status)),
    url: text(target.url),
    prUrl: text(target.prUrl),
    summary: text(agent.summary),
  };
}

export function cursorDispatcher(target: TargetConfig, _deps: DispatcherDeps): Dispatcher {
  if (!target.token)
    throw configError(
      `handoff target "${target.name}" (cursor) has no API key.`,
      "Set the environment variable its tokenEnv names (default CURSOR_API_KEY) to a Cursor API key.",
    );
  const headers = { authorization: `Bearer ${target.token}` };
  const notes: Array<[RegExp | number, string, "config"]> = [
    [
      /verify existence of branch|repository/i,
      "the Cursor GitHub app is not installed on the repository, or the base branch does not exist",
      "config",
    ],
  ];
  return {
    type: "cursor",
    target: target.name,
    async dispatch(req: DispatchRequest, signal?: AbortSignal): Promise<DispatchResult> {
      const existing = await findAgent(target, headers, req.branch, signal);
      if (existing) return { externalId: str(existing.id)!, ...pick(state(existing)), adopted: true };
      const webhook =
        req.callbackUrl && target.secret && target.secret.length >= 32
          ? { url: req.callbackUrl, secret: target.secret }
          : undefined;
      const res = await jsonRequest("Cursor", "POST", `${target.apiUrl}/v0/agents`, {
        headers,
        signal,
        body: {
          prompt: { text: `${req.brief}\n\nautofix-dispatch: ${req.dispatchId}` },
          source: {
            repository: `https://github.com/${req.repository}`,
            ...(req.baseBranch ? { ref: req.baseBranch } : {}),
          },
          ...(target.model ? { model: target.model } : {}),
          target: { autoCreatePr: req.autoCreatePr, branchName: req.branch },
          ...(webhook ? { webhook } : {}),
        },
      });
      if (!ok(res) || !isObj(res.body) || !str(res.body.id))
        throw apiError("Cursor", res, "launch an agent", notes);
      return { externalId: str(res.body.id)!, ...pick(state(res.body)), adopted: false };
    },
    async status(externalId: string, _req: DispatchRequest, signal?: AbortSignal): Promise<DispatchState> {
      const res = await jsonRequest(
        "Cursor",
        "GET",
        `${target.apiUrl}/v0/agents/${encodeURIComponent(externalId)}`,
        { headers, signal },
      );
      if (!ok(res) || !isObj(res.body)) throw apiError("Cursor", res, "report an agent's status");
      return state(res.body);
    },
  };
}

const pick = (s: DispatchState) => ({ status: s.status, url: s.url, prUrl: s.prUrl });

async function findAgent(
  target: TargetConfig,
  headers: Record<string, string>,
  branch: string,
  signal?: AbortSignal,
): Promise<Record<string, unknown> | null> {
  let cursor: string | null = null;
  for (let page = 0; page < 5; page++) {
    const q = new URLSearchParams({ limit: "100", ...(cursor ? { cursor } : {}) });
    const res = await jsonRequest("Cursor", "GET", `${target.apiUrl}/v0/agents?${q}`, { headers, signal });
    if (!ok(res)) throw apiError("Cursor", res, "list agents");
    const body = obj(res.body);
    const hit = arr(body.agents)
      .filter(isObj)
      .find((a) => text(obj(a.target).branchName) === branch);
    if (hit) return hit;
    cursor = text(body.nextCursor);
    if (!cursor) return null;
  }
  return null;
}

/** Verifies `X-Webhook-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>` and reads the status change. */
export function verifyCursorWebhook(
  raw: Buffer,
  headers: Record<string, string | string[] | undefined>,
  secret: string,
): AgentCallback {
  const header = headers["x-webhook-signature"];
  const given = (Array.isArray(header) ? header[0] : header) ?? "";
  const hex = /^sha256=([0-9a-f]{64})$/i.exec(given.trim())?.[1];
  const expected = createHmac("sha256", secret).update(raw).digest();
  if (!hex || !timingSafeEqual(Buffer.from(hex, "hex"), expected))
    throw new AppError("input", "invalid Cursor webhook signature", { status: 401 });
  let body: unknown;
  try {
    body = JSON.parse(raw.toString("utf8"));
  } catch {
    throw new AppError("input", "the Cursor webhook body is not JSON", { status: 400 });
  }
  const b = obj(body);
  const id = str(b.id);
  if (!id) throw new AppError("input", "the Cursor webhook names no agent", { status: 400 });
  return { externalId: id, state: state(b) };
}
