import { randomUUID } from "node:crypto";
import { bearer, type FakeRequest, type Reply, route, serveJson } from "./serve.ts";

/**
 * A fake GitHub Copilot agent tasks API on 127.0.0.1: create, get and list tasks under
 * `/agents/repos/{owner}/{repo}/tasks`, plus the GraphQL `node(id:)` lookup that turns a PR artifact's
 * global ID into its URL. The task shape is our documented assumption (see src/handoff/copilot.ts):
 * `{id, name, state, html_url, prompt, pull_request | artifacts}`; lists answer `{tasks: […]}`.
 */
export type TaskState =
  | "queued"
  | "in_progress"
  | "completed"
  | "failed"
  | "idle"
  | "waiting_for_user"
  | "timed_out"
  | "cancelled";

export interface FakeTask {
  id: string;
  repository: string;
  name: string;
  state: TaskState;
  prompt: string;
  base_ref: string | null;
  create_pull_request: boolean | null;
  model: string | null;
  html_url: string;
  pr: { number: number; html_url: string; global_id: string; asArtifact: boolean } | null;
  created_at: string;
}

export type CopilotFailure = "unauthorized" | "not_licensed" | "quota" | "not_found" | "server_error";

export interface FakeCopilot {
  url: string;
  token: string;
  requests: FakeRequest[];
  /** Bodies of every accepted task creation, as sent. */
  created: Array<Record<string, unknown>>;
  tasks(): FakeTask[];
  /** Moves a task to `state`; with `pr`, attaches a pull request (as `pull_request`, or only as an artifact). */
  advance(id: string, state: TaskState, pr?: { number: number; asArtifact?: boolean }): void;
  failNext(kind: CopilotFailure, opts?: { times?: number; method?: "GET" | "POST" }): void;
  /** The next create makes the task but answers 502. */
  loseNextCreate(): void;
  setLatency(ms: number): void;
  close(): Promise<void>;
}

const DOCS = "https://docs.github.com/rest/agent-tasks/agent-tasks";
const ghError = (status: number, message: string): Reply => ({
  status,
  body: { message, documentation_url: DOCS, status: String(status) },
});
const FAILURES: Record<CopilotFailure, Reply> = {
  unauthorized: ghError(401, "Bad credentials"),
  not_licensed: ghError(403, "You are not licensed to use Copilot coding agent."),
  quota: ghError(403, "You have exceeded your premium request quota for this month."),
  not_found: ghError(404, "Not Found"),
  server_error: ghError(500, "Server Error"),
};

export async function startFakeCopilot(
  options: { token?: string; enabledRepos?: string[] } = {},
): Promise<FakeCopilot> {
  const token = options.token ?? "ghu_fakecopilot000000000000000000000000";
  const tasks: FakeTask[] = [];
  const created: Array<Record<string, unknown>> = [];

  const view = (t: FakeTask) => ({
    id: t.id,
    name: t.name,
    state: t.state,
    html_url: t.html_url,
    prompt: t.prompt,
    base_ref: t.base_ref,
    created_at: t.created_at,
    updated_at: t.created_at,
    pull_request: t.pr && !t.pr.asArtifact ? { number: t.pr.number, html_url: t.pr.html_url } : null,
    artifacts: t.pr
      ? [
          {
            provider: "github",
            type: "github_resource",
            data: { type: "pull", id: 1000 + t.pr.number, global_id: t.pr.global_id },
          },
        ]
      : [],
  });

  const handle = (req: FakeRequest): Reply => {
    if (bearer(req) !== token) return FAILURES.unauthorized;
    if (req.method === "POST" && (req.path === "/graphql" || req.path === "/api/graphql")) {
      const id = (req.body as { variables?: { id?: string } }).variables?.id;
      const task = tasks.find((t) => t.pr?.global_id === id);
      return { status: 200, body: { data: { node: task?.pr ? { url: task.pr.html_url } : null } } };
    }
    const list = route("/agents/repos/:owner/:repo/tasks", req.path);
    const one = route("/agents/repos/:owner/:repo/tasks/:id", req.path);
    const params = list ?? one;
    if (!params) return FAILURES.not_found;
    const repository = `${params.owner}/${params.repo}`;
    if (options.enabledRepos && !options.enabledRepos.includes(repository)) return FAILURES.not_found;
    if (list && req.method === "POST") {
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (typeof body.prompt !== "string" || body.prompt === "") return ghError(422, "prompt is required");
      created.push(body);
      const id = randomUUID();
      const task: FakeTask = {
        id,
        repository,
        name: body.prompt.split("\n")[0]!.slice(0, 80),
        state: "queued",
        prompt: body.prompt,
        base_ref: typeof body.base_ref === "string" ? body.base_ref : null,
        create_pull_request: typeof body.create_pull_request === "boolean" ? body.create_pull_request : null,
        model: typeof body.model === "string" ? body.model : null,
        html_url: `https://github.com/${repository}/tasks/${id}`,
        pr: null,
        created_at: new Date().toISOString(),
      };
      tasks.push(task);
      return { status: 201, body: view(task) };
    }
    if (list && req.method === "GET") {
      const perPage = Math.min(Number(req.query.get("per_page") ?? 30), 100);
      const page = Number(req.query.get("page") ?? 1);
      const mine = tasks.filter((t) => t.repository === repository).reverse();
      return { status: 200, body: { tasks: mine.slice((page - 1) * perPage, page * perPage).map(view) } };
    }
    if (one && req.method === "GET") {
      const task = tasks.find((t) => t.id === one.id && t.repository === repository);
      return task ? { status: 200, body: view(task) } : FAILURES.not_found;
    }
    return FAILURES.not_found;
  };

  const server = await serveJson(handle);
  return {
    url: server.url,
    token,
    requests: server.requests,
    created,
    tasks: () => tasks,
    advance: (id, state, pr) => {
      const task = tasks.find((t) => t.id === id);
      if (!task) throw new Error(`fake Copilot has no task ${id}`);
      task.state = state;
      if (pr)
        task.pr = {
          number: pr.number,
          html_url: `https://github.com/${task.repository}/pull/${pr.number}`,
          global_id: `PR_kwDO${pr.number.toString(36).padStart(6, "0")}`,
          asArtifact: pr.asArtifact ?? false,
        };
    },
    failNext: (kind, opts = {}) => server.inject({ ...FAILURES[kind], ...opts }),
    loseNextCreate: () => server.inject({ ...ghError(502, "Bad Gateway"), method: "POST", process: true }),
    setLatency: server.setLatency,
    close: server.close,
  };
}
