import { configError } from "../errors.ts";
import { isObj, obj, str, text } from "../sentry/lenient.ts";
import { apiError, type ErrorRule, findOrCreate, githubHeaders, jsonRequest, ok, repoPath } from "./http.ts";
import type {
  Dispatcher,
  DispatcherDeps,
  DispatchRequest,
  DispatchResult,
  DispatchState,
  TargetConfig,
} from "./types.ts";

/**
 * The Claude Code GitHub Action: a GitHub issue whose body is the brief, then an `@claude` comment that
 * starts the action. The comment must come from a user or app token with write access: comments made with a
 * workflow's own GITHUB_TOKEN do not trigger workflows, and only writers can trigger Claude (and only they
 * can add the `autofix` label we search by). Claude keeps one tracking comment: "Claude Code is working…",
 * then "**Claude finished @user's task**" or "**Claude encountered an error**", with links to the job, the
 * branch and — since the action does not open PRs by default — a "Create PR ➔" compare link.
 *
 * Idempotency: the issue body ends with `<!-- autofix-dispatch: <id> -->`; an issue holding it is adopted,
 * and the `@claude` comment is posted only if the issue has none.
 */
const SERVICE = "GitHub";
const LABEL = "autofix";
const MAX_PAGES = 10;

/** What every request for this target needs: its API root and the headers with its token. */
interface GitHub {
  apiUrl: string;
  headers: Record<string, string>;
}

export function claudeActionDispatcher(target: TargetConfig, _deps: DispatcherDeps): Dispatcher {
  if (!target.token)
    throw configError(
      `handoff target "${target.name}" (claude_action) has no GitHub token.`,
      "Set the variable its tokenEnv names (default GITHUB_TOKEN) to a user or app token with write access to issues (not the workflow's GITHUB_TOKEN).",
    );
  const g: GitHub = { apiUrl: target.apiUrl.replace(/\/+$/, ""), headers: githubHeaders(target.token) };
  return {
    type: "claude_action",
    target: target.name,
    async dispatch(req: DispatchRequest, signal?: AbortSignal): Promise<DispatchResult> {
      const issue = await issueFor(g, req, signal);
      const number = str(issue.value.number);
      if (!number)
        throw apiError(SERVICE, { status: 200, body: issue.value, headers: {} }, "create an issue");
      const seen = await askClaude(g, req, number, signal);
      const { status, prUrl } = claudeProgress(seen, req.repository);
      return { externalId: number, status, url: text(issue.value.html_url), prUrl, adopted: issue.adopted };
    },
    async status(externalId: string, req: DispatchRequest, signal?: AbortSignal): Promise<DispatchState> {
      return claudeProgress(await comments(g, req.repository, externalId, signal), req.repository);
    },
  };
}

const issuesUrl = (g: GitHub, repo: string) => `${g.apiUrl}/repos/${repoPath(repo)}/issues`;

/** The issue holding this dispatch's marker, or a new one whose body is the brief. */
function issueFor(g: GitHub, req: DispatchRequest, signal?: AbortSignal) {
  const repo = req.repository;
  const marker = `<!-- autofix-dispatch: ${req.dispatchId} -->`;
  return findOrCreate(
    async () => {
      const all = await list(
        g,
        `${issuesUrl(g, repo)}?labels=${LABEL}&state=all`,
        "list issues",
        repo,
        signal,
      );
      return all.find((i) => (text(i.body) ?? "").includes(marker)) ?? null;
    },
    () =>
      post(
        g,
        issuesUrl(g, repo),
        { title: req.prTitle, body: `${req.brief}\n\n${marker}`, labels: [LABEL] },
        "create the issue for Claude",
        repo,
        signal,
      ),
    signal,
  );
}

/** Posts the `@claude` comment unless the issue has one; returns the comments seen before. */
async function askClaude(g: GitHub, req: DispatchRequest, issue: string, signal?: AbortSignal) {
  const repo = req.repository;
  let seen: Record<string, unknown>[] = [];
  await findOrCreate(
    async () => {
      seen = await comments(g, repo, issue, signal);
      return seen.find(isTrigger) ?? null;
    },
    () =>
      post(
        g,
        `${issuesUrl(g, repo)}/${issue}/comments`,
        { body: instruction(req, issue) },
        "ask @claude to start",
        repo,
        signal,
      ),
    signal,
  );
  return seen;
}

/** What GitHub's refusals mean for this target, and what to do about each. */
function rules(repo: string): ErrorRule[] {
  return [
    {
      status: 401,
      kind: "config",
      message: "GitHub rejected the claude_action target's token (401).",
      hint: "Set the variable its tokenEnv names (default GITHUB_TOKEN) to a valid token.",
    },
    {
      status: 403,
      kind: "config",
      message: `The token may not create issues or comments on ${repo} (403).`,
      hint: "Give the token write access to the repository's issues (fine-grained: Issues read/write).",
    },
    {
      status: 404,
      kind: "config",
      message: `GitHub found no repository ${repo} for this token (404).`,
      hint: "Check the repository name and that the token can see it.",
    },
    {
      status: 410,
      kind: "config",
      message: `Issues are disabled on ${repo} (410).`,
      hint: "Enable issues in the repository settings, or hand off to another target.",
    },
  ];
}

/** Every page of a GitHub list endpoint (up to a bound), following `page` until a short page. */
async function list(g: GitHub, url: string, what: string, repo: string, signal?: AbortSignal) {
  const items: Record<string, unknown>[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const sep = url.includes("?") ? "&" : "?";
    const res = await jsonRequest(SERVICE, "GET", `${url}${sep}per_page=100&page=${page}`, {
      headers: g.headers,
      signal,
    });
    if (!ok(res) || !Array.isArray(res.body)) throw apiError(SERVICE, res, what, rules(repo));
    items.push(...res.body.filter(isObj));
    if (res.body.length < 100) break;
  }
  return items;
}

async function post(g: GitHub, url: string, body: unknown, what: string, repo: string, signal?: AbortSignal) {
  const res = await jsonRequest(SERVICE, "POST", url, { headers: g.headers, signal, body });
  if (!ok(res) || !isObj(res.body)) throw apiError(SERVICE, res, what, rules(repo));
  return res.body;
}

const comments = (g: GitHub, repo: string, issue: string, signal?: AbortSignal) =>
  list(
    g,
    `${issuesUrl(g, repo)}/${encodeURIComponent(issue)}/comments`,
    "read the issue's comments",
    repo,
    signal,
  );

function instruction(req: DispatchRequest, issue: string): string {
  const base = req.baseBranch ? ` based on \`${req.baseBranch}\`` : "";
  return [
    `@claude Implement the plan in this issue's description. Work on a new branch${base} and open a draft pull request`,
    `whose description contains \`Fixes ${req.shortId}\` and \`Fixes #${issue}\`. Suggested branch: \`${req.branch}\`.`,
  ].join(" ");
}

const isTrigger = (c: Record<string, unknown>) => (text(c.body) ?? "").trimStart().startsWith("@claude");

const TRACKING = /Claude Code is working|Claude finished|Claude encountered an error/i;

/** Claude's progress from its tracking comment (the newest one, preferring comments by bots). */
function claudeProgress(comments: Record<string, unknown>[], repository: string): DispatchState {
  const candidates = comments.filter((c) => !isTrigger(c) && TRACKING.test(text(c.body) ?? "")).reverse();
  const byBot = (c: Record<string, unknown>) => {
    const user = obj(c.user);
    return text(user.type) === "Bot" || /\[bot\]$|claude/i.test(text(user.login) ?? "");
  };
  const tracking = candidates.find(byBot) ?? candidates[0];
  const anyUrl = text(tracking?.html_url) ?? text(comments[0]?.html_url);
  const issueUrl = anyUrl ? anyUrl.replace(/#.*$/, "") : null;
  if (!tracking) return { status: "queued", url: issueUrl, prUrl: null, summary: null };
  const body = text(tracking.body) ?? "";
  const repo = repository.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const prUrl = new RegExp(`https?://[^\\s/()]+/${repo}/pull/\\d+`, "i").exec(body)?.[0] ?? null;
  const compare = /https?:\/\/[^\s()]+\/compare\/[^\s()]*quick_pull=1[^\s()]*/.exec(body)?.[0] ?? null;
  const status = /Claude finished/i.test(body)
    ? "completed"
    : /Claude encountered an error/i.test(body)
      ? "failed"
      : "running";
  return {
    status,
    url: issueUrl,
    prUrl,
    summary: !prUrl && compare ? `Claude pushed a branch but opened no PR; create it here: ${compare}` : null,
  };
}
