import { configError } from "../errors.ts";
import { arr, isObj, obj, str, text } from "../sentry/lenient.ts";
import { apiError, type ErrorRule, findOrCreate, githubHeaders, jsonRequest, ok, repoPath } from "./http.ts";
import type {
  Dispatcher,
  DispatcherDeps,
  DispatchRequest,
  DispatchResult,
  DispatchState,
  DispatchStatus,
  TargetConfig,
} from "./types.ts";

/**
 * GitHub Copilot coding agent through the agent tasks API (public preview): `POST /agents/repos/{o}/{r}/tasks`
 * with the brief as `prompt`, polled at `…/tasks/{id}`.
 *
 * Assumed shapes (the preview's response schema is not fully documented): a task is
 * `{id, name?, state, html_url?, prompt?, pull_request?: {html_url}, artifacts?: [{type, data: {type: "pull",
 * global_id?, html_url?}}]}`, possibly wrapped as `{task: {…}}` (Sentry's client saw both); the list answers an
 * array or `{tasks: […]}`, paged with `page`/`per_page`. A PR known only by an artifact's GraphQL `global_id`
 * is resolved with a `node(id:)` query, as Sentry does. Idempotency relies on the listing carrying the prompt
 * (or a name derived from it) that holds our `autofix-dispatch: <id>` line.
 */
function copilotStatus(state: string | null, hasPr = false): DispatchStatus {
  switch (state) {
    case "queued":
      return "queued";
    case "completed":
      return "completed";
    case "failed":
    case "timed_out":
    case "cancelled":
      return "failed";
    case "idle":
      // The agent stopped working; with a PR it has delivered, without one it may still be resumed.
      return hasPr ? "completed" : "running";
    default:
      return "running"; // in_progress, waiting_for_user, and states added later
  }
}

/** Copilot's problem statement is capped at 30,000 characters; keep room for the marker. */
const MAX_PROMPT = 29_000;
const MAX_LIST_PAGES = 5;
const SERVICE = "GitHub Copilot";

/** What every request to the tasks API needs: the target, its API root and the headers with its token. */
interface Copilot {
  target: TargetConfig;
  deps: DispatcherDeps;
  apiUrl: string;
  headers: Record<string, string>;
}

export function copilotDispatcher(target: TargetConfig, deps: DispatcherDeps): Dispatcher {
  if (!target.token)
    throw configError(
      `handoff target "${target.name}" (copilot) has no token.`,
      "Set the variable its tokenEnv names (default GITHUB_TOKEN) to a user token (PAT or OAuth; not an app installation token) with Copilot coding agent access.",
    );
  const c: Copilot = {
    target,
    deps,
    apiUrl: target.apiUrl.replace(/\/+$/, ""),
    headers: githubHeaders(target.token),
  };
  return {
    type: "copilot",
    target: target.name,
    async dispatch(req: DispatchRequest, signal?: AbortSignal): Promise<DispatchResult> {
      const { value, adopted } = await findOrCreate(
        () => findTask(c, req, signal),
        () => create(c, req, signal),
        signal,
      );
      const { status, url, prUrl } = await stateOf(c, value, signal);
      return { externalId: str(value.id)!, status, url, prUrl, adopted };
    },
    async status(externalId: string, req: DispatchRequest, signal?: AbortSignal): Promise<DispatchState> {
      const res = await jsonRequest(
        SERVICE,
        "GET",
        `${tasksUrl(c, req.repository)}/${encodeURIComponent(externalId)}`,
        { headers: c.headers, signal },
      );
      if (!ok(res) || !isObj(res.body))
        throw apiError(SERVICE, res, "report a task's state", rules(req.repository));
      return stateOf(c, unwrap(res.body), signal);
    },
  };
}

const tasksUrl = (c: Copilot, repo: string) => `${c.apiUrl}/agents/repos/${repoPath(repo)}/tasks`;

/** What GitHub's refusals mean for a Copilot task, and what to do about each. */
function rules(repo: string): ErrorRule[] {
  return [
    {
      status: 401,
      kind: "config",
      message: "GitHub rejected the Copilot target's token (401).",
      hint: "Set the variable its tokenEnv names (default GITHUB_TOKEN) to a valid user token (PAT or OAuth).",
    },
    {
      status: 403,
      match: /not licensed|licen[cs]e|seat/i,
      kind: "config",
      message: "The token's user has no Copilot license that includes the coding agent (403).",
      hint: "Assign a Copilot Pro+, Business or Enterprise seat to the token's user, or use another user's token.",
    },
    {
      status: [402, 403],
      match: /premium|quota/i,
      kind: "config",
      message: "The Copilot premium request quota of the token's user is used up.",
      hint: "Raise the premium request budget in the Copilot billing settings, or wait for the monthly reset.",
    },
    {
      status: 403,
      kind: "config",
      message: `GitHub denied the token access to Copilot agent tasks on ${repo} (403).`,
      hint: "Use a user token (installation tokens are unsupported) with the Agent tasks, Contents and Pull requests permissions on the repository.",
    },
    {
      status: 404,
      kind: "config",
      message: `GitHub found no repository ${repo}, or the Copilot coding agent is not enabled for it (404).`,
      hint: "Check the repository name and enable the Copilot coding agent for it (organization Copilot policies).",
    },
    {
      status: 422,
      kind: "config",
      message: `GitHub refused the Copilot task for ${repo} (422).`,
      hint: "Check the base branch and the target's model.",
    },
  ];
}

/** The task an earlier attempt created for this dispatch, found by the marker in its prompt. */
async function findTask(c: Copilot, req: DispatchRequest, signal?: AbortSignal) {
  const marker = markerOf(req.dispatchId);
  for (let page = 1; page <= MAX_LIST_PAGES; page++) {
    const q = new URLSearchParams({ per_page: "100", page: String(page), sort: "created_at" });
    const res = await jsonRequest(SERVICE, "GET", `${tasksUrl(c, req.repository)}?${q}`, {
      headers: c.headers,
      signal,
    });
    if (!ok(res)) throw apiError(SERVICE, res, "list agent tasks", rules(req.repository));
    const tasks = (Array.isArray(res.body) ? res.body : arr(obj(res.body).tasks)).filter(isObj).map(unwrap);
    const hit = tasks.find((t) =>
      [t.prompt, t.problem_statement, t.name, t.title].some((v) => (text(v) ?? "").includes(marker)),
    );
    if (hit && str(hit.id)) return hit;
    if (tasks.length < 100) return null;
  }
  return null;
}

async function create(c: Copilot, req: DispatchRequest, signal?: AbortSignal) {
  const brief =
    req.brief.length > MAX_PROMPT ? `${req.brief.slice(0, MAX_PROMPT)}\n\n…(brief truncated)` : req.brief;
  const res = await jsonRequest(SERVICE, "POST", tasksUrl(c, req.repository), {
    headers: c.headers,
    signal,
    body: {
      prompt: `${brief}\n\n${markerOf(req.dispatchId)}`,
      ...(req.baseBranch ? { base_ref: req.baseBranch } : {}),
      create_pull_request: req.autoCreatePr,
      ...(c.target.model ? { model: c.target.model } : {}),
    },
  });
  const task = isObj(res.body) ? unwrap(res.body) : null;
  if (!ok(res) || !task || !str(task.id))
    throw apiError(SERVICE, res, "create an agent task", rules(req.repository));
  return task;
}

/** The PR's URL from the task, resolving a GraphQL node ID when that is all the task has. */
async function stateOf(
  c: Copilot,
  task: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<DispatchState> {
  const pull = arr(task.artifacts)
    .filter(isObj)
    .map((a) => obj(a.data))
    .find((d) => /^pull/.test(text(d.type) ?? ""));
  let prUrl = text(obj(task.pull_request).html_url) ?? text(pull?.html_url) ?? text(pull?.url);
  const globalId = text(pull?.global_id);
  if (!prUrl && globalId) prUrl = await pullRequestUrl(c, globalId, signal);
  const state = text(task.state) ?? text(task.status);
  return {
    status: copilotStatus(state, prUrl !== null),
    url: text(task.html_url),
    prUrl,
    summary: state === "waiting_for_user" ? "Copilot is waiting for input on the task." : text(task.summary),
  };
}

async function pullRequestUrl(c: Copilot, globalId: string, signal?: AbortSignal): Promise<string | null> {
  const graphql = /\/api\/v3$/.test(c.apiUrl) ? c.apiUrl.replace(/\/v3$/, "/graphql") : `${c.apiUrl}/graphql`;
  const res = await jsonRequest("GitHub", "POST", graphql, {
    headers: { authorization: c.headers.authorization! },
    signal,
    body: {
      query: "query($id: ID!) { node(id: $id) { ... on PullRequest { url } } }",
      variables: { id: globalId },
    },
  }).catch(() => null);
  const url = res && ok(res) ? text(obj(obj(obj(res.body).data).node).url) : null;
  if (!url) c.deps.logger.debug("copilot pull request not resolved", { globalId, status: res?.status });
  return url;
}

const markerOf = (dispatchId: string) => `autofix-dispatch: ${dispatchId}`;

/** Sentry's client saw the task both bare and wrapped in `{task: {…}}`. */
const unwrap = (body: Record<string, unknown>) => (isObj(body.task) && !("id" in body) ? body.task : body);
