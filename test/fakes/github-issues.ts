import { bearer, type FakeRequest, type Reply, route, serveJson } from "./serve.ts";

/**
 * A fake GitHub issues API on 127.0.0.1 for the Claude Code Action handoff: create and list issues (label
 * and state filters, `per_page`/`page`), create and list comments, in GitHub's shapes. Helpers play the
 * action's part: a "Claude Code is working…" tracking comment by `claude[bot]`, later edited to
 * "**Claude finished @user's task**" (with a PR link and/or a "Create PR ➔" compare link) or to
 * "**Claude encountered an error**", worded as anthropics/claude-code-action writes them.
 */
export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  labels: string[];
  state: "open" | "closed";
  comments: FakeComment[];
}

export interface FakeComment {
  id: number;
  body: string;
  login: string;
  type: "User" | "Bot";
}

export type IssuesFailure = "unauthorized" | "forbidden" | "not_found" | "issues_disabled" | "server_error";

export interface FakeGitHubIssues {
  url: string;
  token: string;
  requests: FakeRequest[];
  issues(repo: string): FakeIssue[];
  claudeStarts(repo: string, issue: number): void;
  claudeFinishes(repo: string, issue: number, opts?: { pr?: number; compareLink?: boolean }): void;
  claudeFails(repo: string, issue: number): void;
  failNext(kind: IssuesFailure, opts?: { times?: number; method?: "GET" | "POST"; path?: RegExp }): void;
  /** The next POST takes effect but answers 502. */
  loseNextPost(): void;
  close(): Promise<void>;
}

const ghError = (status: number, message: string): Reply => ({
  status,
  body: { message, documentation_url: "https://docs.github.com/rest/issues", status: String(status) },
});
const FAILURES: Record<IssuesFailure, Reply> = {
  unauthorized: ghError(401, "Bad credentials"),
  forbidden: ghError(403, "Resource not accessible by personal access token"),
  not_found: ghError(404, "Not Found"),
  issues_disabled: ghError(410, "Issues are disabled for this repo"),
  server_error: ghError(500, "Server Error"),
};
const SPINNER =
  '<img src="https://github.com/user-attachments/assets/spinner.gif" width="14px" height="14px" />';

export async function startFakeGitHubIssues(
  options: { token?: string; repos?: string[]; login?: string } = {},
): Promise<FakeGitHubIssues> {
  const token = options.token ?? "ghp_fakeissues000000000000000000000000";
  const login = options.login ?? "autofix-bot";
  const repos = new Map<string, FakeIssue[]>();
  let nextComment = 1;
  const issuesOf = (repo: string) => {
    if (!repos.has(repo)) repos.set(repo, []);
    return repos.get(repo)!;
  };
  const html = (repo: string) => `https://github.com/${repo}`;
  const issueView = (repo: string, i: FakeIssue) => ({
    id: 5000 + i.number,
    number: i.number,
    title: i.title,
    body: i.body,
    state: i.state,
    labels: i.labels.map((name) => ({ name })),
    comments: i.comments.length,
    user: { login, type: "User" },
    html_url: `${html(repo)}/issues/${i.number}`,
    url: `http://fake/repos/${repo}/issues/${i.number}`,
  });
  const commentView = (repo: string, issue: number, c: FakeComment) => ({
    id: c.id,
    body: c.body,
    user: { login: c.login, type: c.type },
    html_url: `${html(repo)}/issues/${issue}#issuecomment-${c.id}`,
  });
  const page = <T>(req: FakeRequest, items: T[]) => {
    const perPage = Math.min(Number(req.query.get("per_page") ?? 30), 100);
    const n = Number(req.query.get("page") ?? 1);
    return items.slice((n - 1) * perPage, n * perPage);
  };

  const handle = (req: FakeRequest): Reply => {
    if (bearer(req) !== token) return FAILURES.unauthorized;
    const issuesRoute = route("/repos/:owner/:repo/issues", req.path);
    const commentsRoute = route("/repos/:owner/:repo/issues/:number/comments", req.path);
    const params = issuesRoute ?? commentsRoute;
    if (!params) return FAILURES.not_found;
    const repo = `${params.owner}/${params.repo}`;
    if (options.repos && !options.repos.includes(repo)) return FAILURES.not_found;
    const issues = issuesOf(repo);
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (issuesRoute && req.method === "POST") {
      if (typeof body.title !== "string" || !body.title) return ghError(422, "Validation Failed");
      const issue: FakeIssue = {
        number: issues.length + 1,
        title: body.title,
        body: typeof body.body === "string" ? body.body : "",
        labels: Array.isArray(body.labels) ? body.labels.map(String) : [],
        state: "open",
        comments: [],
      };
      issues.push(issue);
      return { status: 201, body: issueView(repo, issue) };
    }
    if (issuesRoute && req.method === "GET") {
      const labels = (req.query.get("labels") ?? "").split(",").filter(Boolean);
      const state = req.query.get("state") ?? "open";
      const matching = [...issues]
        .reverse()
        .filter((i) => labels.every((l) => i.labels.includes(l)) && (state === "all" || i.state === state));
      return { status: 200, body: page(req, matching).map((i) => issueView(repo, i)) };
    }
    const issue = commentsRoute ? issues.find((i) => String(i.number) === commentsRoute.number) : undefined;
    if (!issue) return FAILURES.not_found;
    if (req.method === "POST") {
      if (typeof body.body !== "string" || !body.body) return ghError(422, "Validation Failed");
      const comment: FakeComment = { id: nextComment++, body: body.body, login, type: "User" };
      issue.comments.push(comment);
      return { status: 201, body: commentView(repo, issue.number, comment) };
    }
    return { status: 200, body: page(req, issue.comments).map((c) => commentView(repo, issue.number, c)) };
  };

  const server = await serveJson(handle);
  const issueOf = (repo: string, n: number) => {
    const issue = issuesOf(repo).find((i) => i.number === n);
    if (!issue) throw new Error(`fake GitHub has no issue ${repo}#${n}`);
    return issue;
  };
  /** The action edits one tracking comment in place; create it if the test skipped claudeStarts. */
  const tracking = (repo: string, n: number) => {
    const issue = issueOf(repo, n);
    let c = issue.comments.find((x) => x.login === "claude[bot]");
    if (!c) {
      c = { id: nextComment++, body: "", login: "claude[bot]", type: "Bot" };
      issue.comments.push(c);
    }
    return c;
  };
  const job = (repo: string) => `[View job](${html(repo)}/actions/runs/123456)`;
  const branch = (repo: string, n: number) =>
    `[\`claude/issue-${n}-20260101-1200\`](${html(repo)}/tree/claude/issue-${n}-20260101-1200)`;
  return {
    url: server.url,
    token,
    requests: server.requests,
    issues: (repo) => issuesOf(repo),
    claudeStarts: (repo, n) => {
      tracking(repo, n).body =
        `Claude Code is working… ${SPINNER}\n\nI'll analyze this and get back to you.\n\n${job(repo)}`;
    },
    claudeFinishes: (repo, n, opts = {}) => {
      const compare = `${html(repo)}/compare/main...claude/issue-${n}-20260101-1200?quick_pull=1&title=fix%3A%20the%20bug&body=Fixes%20%23${n}`;
      const links = [job(repo), branch(repo, n), ...(opts.compareLink ? [`[Create PR ➔](${compare})`] : [])];
      const summary = opts.pr
        ? `I implemented the plan and opened a draft PR: ${html(repo)}/pull/${opts.pr}`
        : "I implemented the plan and pushed the branch.";
      tracking(repo, n).body =
        `**Claude finished @${login}'s task in 3m 12s** —— ${links.join(" • ")}\n\n---\n${summary}`;
    },
    claudeFails: (repo, n) => {
      tracking(repo, n).body =
        `**Claude encountered an error after 41s** —— ${job(repo)}\n\n\`\`\`\nError: max turns reached\n\`\`\`\n\n---\n`;
    },
    failNext: (kind, opts = {}) => server.inject({ ...FAILURES[kind], ...opts }),
    loseNextPost: () => server.inject({ ...ghError(502, "Bad Gateway"), method: "POST", process: true }),
    close: server.close,
  };
}
