import { createHmac, randomBytes } from "node:crypto";
import { bearer, type FakeRequest, type Reply, route, serveJson } from "./serve.ts";

/**
 * A fake Cursor Cloud Agents API (v0) on 127.0.0.1: launch, get and list agents (newest first, `limit` +
 * `nextCursor` pages), in Cursor's shapes — the list, like Cursor's, omits prompts and webhook secrets.
 * Tests drive the lifecycle (`setStatus`, `finish`, `error`), deliver a signed `statusChange` webhook to the
 * URL the agent was launched with, and inject the failures Cursor produces.
 */
export type CursorStatus = "CREATING" | "RUNNING" | "FINISHED" | "ERROR" | "EXPIRED";

export interface FakeCursorAgent {
  id: string;
  name: string;
  status: CursorStatus;
  prompt: string;
  source: { repository: string; ref?: string };
  target: { branchName: string; url: string; autoCreatePr: boolean; prUrl?: string };
  model?: string;
  webhook?: { url: string; secret: string };
  summary?: string;
  createdAt: string;
}

export type CursorFailure = "unauthorized" | "branch" | "rate_limit" | "server_error";

export interface FakeCursor {
  url: string;
  apiKey: string;
  requests: FakeRequest[];
  /** Bodies of every accepted launch, as sent. */
  launches: Array<Record<string, unknown>>;
  agents(): FakeCursorAgent[];
  setStatus(id: string, status: CursorStatus, patch?: { prUrl?: string; summary?: string }): void;
  /** FINISHED with an optional PR; with `webhook: true` also POSTs the signed statusChange. */
  finish(
    id: string,
    opts?: { prUrl?: string; summary?: string; webhook?: boolean },
  ): Promise<WebhookDelivery | null>;
  error(id: string, opts?: { summary?: string; webhook?: boolean }): Promise<WebhookDelivery | null>;
  sendWebhook(id: string): Promise<WebhookDelivery>;
  failNext(kind: CursorFailure, opts?: { times?: number; method?: "GET" | "POST" }): void;
  /** The next launch creates the agent but answers 502, as if the response was lost. */
  loseNextLaunch(): void;
  /** The next launch creates the agent and never answers: the caller dies or times out waiting. */
  holdNextLaunch(): void;
  setLatency(ms: number): void;
  close(): Promise<void>;
}

export interface WebhookDelivery {
  status: number;
}

const FAILURES: Record<CursorFailure, Reply> = {
  unauthorized: { status: 401, body: { error: "Unauthorized: invalid API key" } },
  branch: {
    status: 400,
    body: {
      error:
        "Failed to verify existence of branch 'main' in repository. Please ensure the branch name is correct and the Cursor GitHub App is installed.",
    },
  },
  rate_limit: { status: 429, body: { error: "Rate limit exceeded" }, headers: { "retry-after": "30" } },
  server_error: { status: 500, body: { error: "Internal server error" } },
};

export async function startFakeCursor(
  options: { apiKey?: string; pageSize?: number } = {},
): Promise<FakeCursor> {
  const apiKey = options.apiKey ?? "key_fake_cursor_0000000000000000";
  const agents: FakeCursorAgent[] = [];
  const launches: Array<Record<string, unknown>> = [];
  const publicView = ({ prompt: _p, webhook: _w, ...rest }: FakeCursorAgent) => rest;

  let hold = false;
  const handle = (req: FakeRequest): Reply | Promise<Reply> => {
    if (bearer(req) !== apiKey) return FAILURES.unauthorized;
    if (req.method === "POST" && req.path === "/v0/agents") {
      const reply = launch(req.body as Record<string, unknown>);
      if (!hold || reply.status !== 200) return reply;
      hold = false;
      return new Promise<Reply>(() => undefined);
    }
    if (req.method === "GET" && req.path === "/v0/agents") {
      const limit = Math.min(Number(req.query.get("limit") ?? 20), options.pageSize ?? 100);
      const newest = [...agents].reverse();
      const start = Number(req.query.get("cursor") ?? 0);
      const page = newest.slice(start, start + limit);
      const next = start + limit < newest.length ? String(start + limit) : undefined;
      return { status: 200, body: { agents: page.map(publicView), ...(next ? { nextCursor: next } : {}) } };
    }
    const one = route("/v0/agents/:id", req.path);
    if (req.method === "GET" && one) {
      const agent = agents.find((a) => a.id === one.id);
      return agent
        ? { status: 200, body: publicView(agent) }
        : { status: 404, body: { error: "Agent not found" } };
    }
    return { status: 404, body: { error: "Not found" } };
  };

  const launch = (body: Record<string, unknown>): Reply => {
    const prompt = (body.prompt as { text?: string } | undefined)?.text;
    const source = body.source as FakeCursorAgent["source"] | undefined;
    const target = (body.target ?? {}) as { branchName?: string; autoCreatePr?: boolean };
    const webhook = body.webhook as FakeCursorAgent["webhook"] | undefined;
    if (!prompt || !source?.repository?.startsWith("https://github.com/"))
      return { status: 400, body: { error: "prompt.text and source.repository are required" } };
    if (webhook && webhook.secret.length < 32)
      return { status: 400, body: { error: "webhook.secret must be at least 32 characters" } };
    launches.push(body);
    const id = `bc_${randomBytes(6).toString("hex")}`;
    const agent: FakeCursorAgent = {
      id,
      name: (prompt.split("\n")[0] ?? "").slice(0, 60),
      status: "CREATING",
      prompt,
      source,
      target: {
        branchName: target.branchName ?? `cursor/fix-${id.slice(3, 9)}`,
        url: `https://cursor.com/agents?id=${id}`,
        autoCreatePr: target.autoCreatePr ?? false,
      },
      ...(typeof body.model === "string" ? { model: body.model } : {}),
      ...(webhook ? { webhook } : {}),
      createdAt: new Date().toISOString(),
    };
    agents.push(agent);
    return { status: 200, body: publicView(agent) };
  };

  const server = await serveJson(handle);
  const find = (id: string) => {
    const agent = agents.find((a) => a.id === id);
    if (!agent) throw new Error(`fake Cursor has no agent ${id}`);
    return agent;
  };
  const sendWebhook = async (id: string): Promise<WebhookDelivery> => {
    const agent = find(id);
    if (!agent.webhook) throw new Error(`agent ${id} was launched without a webhook`);
    const raw = JSON.stringify({
      event: "statusChange",
      timestamp: new Date().toISOString(),
      id: agent.id,
      status: agent.status,
      source: agent.source,
      target: { url: agent.target.url, branchName: agent.target.branchName, prUrl: agent.target.prUrl },
      summary: agent.summary,
    });
    const signature = createHmac("sha256", agent.webhook.secret).update(raw).digest("hex");
    const res = await fetch(agent.webhook.url, {
      method: "POST",
      body: raw,
      headers: {
        "content-type": "application/json",
        "x-webhook-signature": `sha256=${signature}`,
        "x-webhook-id": `msg_${randomBytes(6).toString("hex")}`,
        "x-webhook-event": "statusChange",
        "user-agent": "Cursor-Agent-Webhook/1.0",
      },
    });
    await res.arrayBuffer();
    return { status: res.status };
  };
  const setStatus: FakeCursor["setStatus"] = (id, status, patch = {}) => {
    const agent = find(id);
    agent.status = status;
    if (patch.prUrl) agent.target.prUrl = patch.prUrl;
    if (patch.summary) agent.summary = patch.summary;
  };
  return {
    url: server.url,
    apiKey,
    requests: server.requests,
    launches,
    agents: () => agents,
    setStatus,
    finish: async (id, opts = {}) => {
      setStatus(id, "FINISHED", { summary: opts.summary ?? "Fixed the bug and added a test.", ...opts });
      return opts.webhook ? sendWebhook(id) : null;
    },
    error: async (id, opts = {}) => {
      setStatus(id, "ERROR", { summary: opts.summary ?? "The agent could not complete the task." });
      return opts.webhook ? sendWebhook(id) : null;
    },
    sendWebhook,
    failNext: (kind, opts = {}) => server.inject({ ...FAILURES[kind], ...opts }),
    loseNextLaunch: () =>
      server.inject({ status: 502, body: { error: "Bad gateway" }, method: "POST", process: true }),
    holdNextLaunch: () => {
      hold = true;
    },
    setLatency: server.setLatency,
    close: server.close,
  };
}
