import { createHmac, timingSafeEqual } from "node:crypto";
import { AppError, configError } from "../errors.ts";
import { arr, isObj, obj, str, text } from "../sentry/lenient.ts";
import { apiError, type ErrorRule, findOrCreate, headerValue, jsonRequest, ok } from "./http.ts";
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
 * Cursor Cloud Agents, API v0. An agent is launched with the brief as its prompt on a GitHub repository and
 * ref; it reports `statusChange` to our webhook (HMAC-signed) and can be polled.
 *
 * Idempotency: the prompt carries a line `autofix-dispatch: <dispatchId>`, but Cursor's list endpoint returns
 * agents without their prompt (only a generated `name` and, later, a `summary`). The reliable key is the
 * branch: we ask for `target.branchName` = the run's branch, which is unique per run, so an agent listed with
 * that branch on the same repository is ours. The marker is still matched in `name`/`summary` as a fallback
 * for agents whose branch Cursor renamed.
 */
function cursorStatus(status: string | null): DispatchStatus {
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

function stateOf(agent: Record<string, unknown>): DispatchState {
  const target = obj(agent.target);
  return {
    status: cursorStatus(text(agent.status)),
    url: text(target.url),
    prUrl: text(target.prUrl),
    summary: text(agent.summary),
  };
}

const MIN_SECRET = 32;
const MAX_LIST_PAGES = 10;

/** What every request for this target needs: the target (key, secret, model), deps, the agents URL. */
interface Cursor {
  target: TargetConfig;
  deps: DispatcherDeps;
  headers: Record<string, string>;
  base: string;
}

export function cursorDispatcher(target: TargetConfig, deps: DispatcherDeps): Dispatcher {
  if (!target.token)
    throw configError(
      `handoff target "${target.name}" (cursor) has no API key.`,
      "Set the environment variable its tokenEnv names (default CURSOR_API_KEY) to a Cursor API key.",
    );
  const c: Cursor = {
    target,
    deps,
    headers: { authorization: `Bearer ${target.token}` },
    base: `${target.apiUrl.replace(/\/+$/, "")}/v0/agents`,
  };
  return {
    type: "cursor",
    target: target.name,
    async dispatch(req: DispatchRequest, signal?: AbortSignal): Promise<DispatchResult> {
      const { value, adopted } = await findOrCreate(
        () => findAgent(c, req, signal),
        () => launch(c, req, signal),
        signal,
      );
      const { status, url, prUrl } = stateOf(value);
      return { externalId: str(value.id)!, status, url, prUrl, adopted };
    },
    async status(externalId: string, req: DispatchRequest, signal?: AbortSignal): Promise<DispatchState> {
      const res = await jsonRequest("Cursor", "GET", `${c.base}/${encodeURIComponent(externalId)}`, {
        headers: c.headers,
        signal,
      });
      // Deleted agents are gone for good: report a final state instead of polling until the tracking timeout.
      if (res.status === 404)
        return { status: "failed", url: null, prUrl: null, summary: "The agent no longer exists at Cursor." };
      if (!ok(res) || !isObj(res.body))
        throw apiError("Cursor", res, "report an agent's status", rules(req.repository));
      return stateOf(res.body);
    },
  };
}

/** What Cursor's refusals mean, and what to do about each. */
function rules(repository: string): ErrorRule[] {
  return [
    {
      status: 401,
      kind: "config",
      message: "Cursor rejected the API key (401).",
      hint: "Set the variable the target's tokenEnv names (default CURSOR_API_KEY) to a valid key from the Cursor dashboard (Integrations).",
    },
    {
      status: 400,
      match: /verify existence of branch|repository/i,
      kind: "config",
      message: `Cursor cannot see ${repository} or its base branch: the Cursor GitHub App is probably not installed on the repository.`,
      hint: "Install the Cursor GitHub App on the repository (Cursor dashboard → Integrations → GitHub) and check that the base branch exists.",
    },
    {
      status: 403,
      kind: "config",
      message: "Cursor refused to run a cloud agent for this API key (403).",
      hint: "Check that the key's Cursor plan allows cloud agents and that they are enabled for the team.",
    },
  ];
}

/** The agent an earlier attempt launched: on this branch of this repository, or carrying the marker. */
async function findAgent(c: Cursor, req: DispatchRequest, signal?: AbortSignal) {
  const marker = markerOf(req.dispatchId);
  let cursor: string | null = null;
  for (let page = 0; page < MAX_LIST_PAGES; page++) {
    const q = new URLSearchParams({ limit: "100", ...(cursor ? { cursor } : {}) });
    const res = await jsonRequest("Cursor", "GET", `${c.base}?${q}`, { headers: c.headers, signal });
    if (!ok(res)) throw apiError("Cursor", res, "list agents", rules(req.repository));
    const body = obj(res.body);
    const hit = arr(body.agents)
      .filter(isObj)
      .find(
        (a) =>
          (req.branch !== "" &&
            text(obj(a.target).branchName) === req.branch &&
            sameRepository(text(obj(a.source).repository), req.repository)) ||
          `${text(a.name) ?? ""}\n${text(a.summary) ?? ""}`.includes(marker),
      );
    if (hit && str(hit.id)) return hit;
    cursor = text(body.nextCursor);
    if (!cursor) return null;
  }
  return null;
}

async function launch(c: Cursor, req: DispatchRequest, signal?: AbortSignal) {
  const { target } = c;
  const canHook = req.callbackUrl !== null && (target.secret?.length ?? 0) >= MIN_SECRET;
  if (req.callbackUrl && !canHook)
    c.deps.logger.warn("cursor webhooks need a secret of at least 32 characters; polling instead", {
      target: target.name,
    });
  const res = await jsonRequest("Cursor", "POST", c.base, {
    headers: c.headers,
    signal,
    body: {
      prompt: { text: `${req.brief}\n\n${markerOf(req.dispatchId)}` },
      source: {
        repository: `https://github.com/${req.repository}`,
        ...(req.baseBranch ? { ref: req.baseBranch } : {}),
      },
      ...(target.model ? { model: target.model } : {}),
      target: { autoCreatePr: req.autoCreatePr, branchName: req.branch },
      ...(canHook ? { webhook: { url: req.callbackUrl, secret: target.secret } } : {}),
    },
  });
  if (!ok(res) || !isObj(res.body) || !str(res.body.id))
    throw apiError("Cursor", res, "launch an agent", rules(req.repository));
  return res.body;
}

const markerOf = (dispatchId: string) => `autofix-dispatch: ${dispatchId}`;

function sameRepository(url: string | null, repository: string): boolean {
  if (url === null) return true;
  const norm = (s: string) =>
    s
      .toLowerCase()
      .replace(/^https?:\/\/(www\.)?github\.com\//, "")
      .replace(/\.git$|\/+$/g, "");
  return norm(url) === norm(repository);
}

/**
 * Verifies `X-Webhook-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>` and reads the `statusChange`
 * payload `{event, id, status, target: {url, prUrl}, summary}`. A bad signature is a 401-style input error.
 */
export function verifyCursorWebhook(
  rawBody: Buffer,
  headers: Record<string, string | string[] | undefined>,
  secret: string,
): AgentCallback {
  const given = headerValue(headers, "x-webhook-signature") ?? "";
  const hex = /^sha256=([0-9a-f]{64})$/i.exec(given.trim())?.[1];
  const expected = createHmac("sha256", secret).update(rawBody).digest();
  if (!hex || !timingSafeEqual(Buffer.from(hex, "hex"), expected))
    throw new AppError("input", "invalid Cursor webhook signature.", {
      status: 401,
      service: "Cursor",
      hint: "The webhook secret must equal the Cursor target's secret.",
    });
  let body: Record<string, unknown>;
  try {
    body = obj(JSON.parse(rawBody.toString("utf8")));
  } catch {
    throw new AppError("input", "the Cursor webhook body is not JSON.", { status: 400, service: "Cursor" });
  }
  const id = str(body.id);
  if (!id)
    throw new AppError("input", "the Cursor webhook names no agent.", { status: 400, service: "Cursor" });
  return { externalId: id, state: stateOf(body) };
}
