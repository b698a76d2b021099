import { configError } from "../errors.ts";
import { arr, isObj, obj, str, text } from "../sentry/lenient.ts";
import { apiError, jsonRequest, ok } from "./http.ts";
import type {
  Dispatcher,
  DispatcherDeps,
  DispatchRequest,
  DispatchState,
  DispatchStatus,
  TargetConfig,
} from "./types.ts";

/**
 * GitHub Copilot coding agent through the agent tasks API (`/agents/repos/{owner}/{repo}/tasks`). A task is
 * created with the brief as its prompt and polled for its state. Assumed shapes, from GitHub's documentation
 * of the preview API: a task is `{id, state, html_url?, prompt?, pull_request?: {html_url}}`, and the list
 * endpoint answers an array or `{tasks: […]}`. The marker line in the prompt finds a task already created.
 */
export function copilotStatus(state: string | null): DispatchStatus {
  switch (state) {
    case "queued":
      return "queued";
    case "completed":
      return "completed";
    case "failed":
    case "timed_out":
    case "cancelled":
      return "failed";
    default:
      return "running";
  }
}

function stateOf(task: Record<string, unknown>): DispatchState {
  const pr = obj(task.pull_request);
  return {
    status: copilotStatus(text(task.state)),
    url: text(task.html_url),
    prUrl: text(pr.html_url),
    summary: text(task.summary),
  };
}

export function copilotDispatcher(target: TargetConfig, _deps: DispatcherDeps): Dispatcher {
  if (!target.token)
    throw configError(
      `handoff target "${target.name}" (copilot) has no token.`,
      "Set the variable its tokenEnv names (default GITHUB_TOKEN) to a user token (PAT or OAuth) with Copilot coding agent access.",
    );
  const headers = {
    authorization: `Bearer ${target.token}`,
    accept: "application/vnd.github+json",
    "x-github-api-version": "2022-11-28",
  };
  const notes: Array<[RegExp | number, string, "config"]> = [
    [/not licensed|license/i, "the token's user has no Copilot coding agent license", "config"],
    [/premium|quota/i, "the Copilot premium request quota is used up", "config"],
  ];
  const base = (repo: string) =>
    `${target.apiUrl}/agents/repos/${repo.split("/").map(encodeURIComponent).join("/")}/tasks`;
  return {
    type: "copilot",
    target: target.name,
    async dispatch(req: DispatchRequest, signal?: AbortSignal) {
      const marker = `autofix-dispatch: ${req.dispatchId}`;
      const list = await jsonRequest("GitHub Copilot", "GET", `${base(req.repository)}?per_page=100`, {
        headers,
        signal,
      });
      if (!ok(list)) throw apiError("GitHub Copilot", list, "list agent tasks", notes);
      const tasks = Array.isArray(list.body) ? list.body : arr(obj(list.body).tasks);
      const existing = tasks.filter(isObj).find((t) => (text(t.prompt) ?? "").includes(marker));
      if (existing) return { externalId: str(existing.id)!, ...pick(stateOf(existing)), adopted: true };
      const res = await jsonRequest("GitHub Copilot", "POST", base(req.repository), {
        headers,
        signal,
        body: {
          prompt: `${req.brief}\n\n${marker}`,
          ...(req.baseBranch ? { base_ref: req.baseBranch } : {}),
          create_pull_request: req.autoCreatePr,
          ...(target.model ? { model: target.model } : {}),
        },
      });
      if (!ok(res) || !isObj(res.body) || !str(res.body.id))
        throw apiError("GitHub Copilot", res, "create an agent task", notes);
      return { externalId: str(res.body.id)!, ...pick(stateOf(res.body)), adopted: false };
    },
    async status(externalId: string, req: DispatchRequest, signal?: AbortSignal) {
      const res = await jsonRequest(
        "GitHub Copilot",
        "GET",
        `${base(req.repository)}/${encodeURIComponent(externalId)}`,
        { headers, signal },
      );
      if (!ok(res) || !isObj(res.body)) throw apiError("GitHub Copilot", res, "report a task's state", notes);
      return stateOf(res.body);
    },
  };
}

const pick = (s: DispatchState) => ({ status: s.status, url: s.url, prUrl: s.prUrl });
