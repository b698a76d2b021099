import { createHmac } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { AppError } from "../../src/errors.ts";
import { verifyCursorWebhook } from "../../src/handoff/cursor.ts";
import { jsonRequest } from "../../src/handoff/http.ts";
import { createDispatcher } from "../../src/handoff/targets.ts";
import type { DispatchRequest, TargetConfig, TargetType } from "../../src/handoff/types.ts";
import { verifyAutofixCallback } from "../../src/handoff/webhook.ts";
import { createLogger } from "../../src/log.ts";
import { startFakeCopilot } from "../fakes/copilot.ts";
import { startFakeCursor } from "../fakes/cursor.ts";
import { startFakeGitHubIssues } from "../fakes/github-issues.ts";
import { serveJson } from "../fakes/serve.ts";
import { startWebhookReceiver } from "../fakes/webhook-receiver.ts";

const deps = { logger: createLogger("silent"), now: () => 1_767_000_000_000 };
const SECRET = "s3cret-s3cret-s3cret-s3cret-s3cret-42";
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});
async function track<T extends { close(): Promise<void> }>(server: Promise<T>): Promise<T> {
  const s = await server;
  closers.push(() => s.close());
  return s;
}

const req = (over: Partial<DispatchRequest> = {}): DispatchRequest => ({
  dispatchId: "run_abc123:agent:acme/api",
  runId: "run_abc123",
  shortId: "API-42",
  brief: "# Fix KeyError in checkout\n\nRead `user.plan` with a default in `billing/plan.py`.",
  prTitle: "fix(billing): default the missing plan",
  prBody: "Fixes API-42",
  branch: "autofix/api-42-keyerror-abc123",
  baseBranch: "main",
  repository: "acme/api",
  autoCreatePr: true,
  callbackUrl: null,
  ...over,
});

const target = (type: TargetType, over: Partial<TargetConfig> = {}): TargetConfig => ({
  name: type.replace("_", "-"),
  type,
  apiUrl: "http://127.0.0.1:9",
  token: null,
  secret: null,
  url: null,
  model: null,
  ...over,
});

async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error("expected a rejection");
}

describe("Cursor dispatcher", () => {
  const setup = async (over: Partial<TargetConfig> = {}, pageSize?: number) => {
    const fake = await track(startFakeCursor(pageSize ? { pageSize } : {}));
    const d = createDispatcher(target("cursor", { apiUrl: fake.url, token: fake.apiKey, ...over }), deps);
    return { fake, d };
  };

  it("launches with the brief, repository, base ref, branch and autoCreatePr", async () => {
    const { fake, d } = await setup({ model: "claude-4-sonnet" });
    const result = await d.dispatch(req());
    expect(fake.launches).toHaveLength(1);
    const body = fake.launches[0]!;
    expect(body).toMatchObject({
      source: { repository: "https://github.com/acme/api", ref: "main" },
      target: { autoCreatePr: true, branchName: "autofix/api-42-keyerror-abc123" },
      model: "claude-4-sonnet",
    });
    const text = (body.prompt as { text: string }).text;
    expect(text).toContain("Read `user.plan` with a default");
    expect(text).toContain("autofix-dispatch: run_abc123:agent:acme/api");
    expect(body.webhook).toBeUndefined();
    expect(fake.requests.find((r) => r.method === "POST")?.headers.authorization).toBe(
      `Bearer ${fake.apiKey}`,
    );
    expect(result).toMatchObject({ status: "queued", adopted: false, prUrl: null });
    expect(result.externalId).toMatch(/^bc_/);
    expect(result.url).toContain(result.externalId);
  });

  it("omits the ref without a base branch, honours autoCreatePr false, and adds a webhook only with a long secret", async () => {
    const short = await setup({ secret: "too-short" });
    await short.d.dispatch(
      req({ baseBranch: null, autoCreatePr: false, callbackUrl: "https://autofix.example/webhooks/cursor" }),
    );
    const body = short.fake.launches[0]!;
    expect(body.source).toEqual({ repository: "https://github.com/acme/api" });
    expect(body.target).toEqual({ autoCreatePr: false, branchName: "autofix/api-42-keyerror-abc123" });
    expect(body.webhook).toBeUndefined();

    const long = await setup({ secret: SECRET });
    await long.d.dispatch(req({ callbackUrl: "https://autofix.example/webhooks/cursor" }));
    expect(long.fake.launches[0]!.webhook).toEqual({
      url: "https://autofix.example/webhooks/cursor",
      secret: SECRET,
    });
  });

  it("maps the agent's lifecycle and reports the PR", async () => {
    const { fake, d } = await setup();
    const { externalId } = await d.dispatch(req());
    expect((await d.status(externalId, req())).status).toBe("queued");
    fake.setStatus(externalId, "RUNNING");
    expect((await d.status(externalId, req())).status).toBe("running");
    await fake.finish(externalId, {
      prUrl: "https://github.com/acme/api/pull/12",
      summary: "Defaulted the plan.",
    });
    expect(await d.status(externalId, req())).toEqual({
      status: "completed",
      url: `https://cursor.com/agents?id=${externalId}`,
      prUrl: "https://github.com/acme/api/pull/12",
      summary: "Defaulted the plan.",
    });
    fake.setStatus(externalId, "EXPIRED");
    expect((await d.status(externalId, req())).status).toBe("failed");
    await fake.error(externalId);
    expect((await d.status(externalId, req())).status).toBe("failed");
    expect((await d.status("bc_gone", req())).status).toBe("failed");
  });

  it("adopts the agent of an earlier attempt, across list pages, instead of launching twice", async () => {
    const { fake, d } = await setup({}, 2);
    const first = await d.dispatch(req());
    for (let i = 0; i < 5; i++)
      await d.dispatch(req({ dispatchId: `other-${i}`, branch: `autofix/other-${i}` }));
    const again = await d.dispatch(req());
    expect(again).toMatchObject({ externalId: first.externalId, adopted: true });
    expect(fake.launches).toHaveLength(6);
    expect(fake.requests.filter((r) => r.method === "GET" && r.query.has("cursor")).length).toBeGreaterThan(
      0,
    );
  });

  it("does not adopt an agent on the same branch of another repository", async () => {
    const { fake, d } = await setup();
    await d.dispatch(req({ repository: "acme/web", dispatchId: "run_abc123:agent:acme/web" }));
    const api = await d.dispatch(req());
    expect(api.adopted).toBe(false);
    expect(fake.launches).toHaveLength(2);
  });

  it("finds the agent a lost launch response created rather than launching again", async () => {
    const { fake, d } = await setup();
    fake.loseNextLaunch();
    const result = await d.dispatch(req());
    expect(fake.launches).toHaveLength(1);
    expect(result).toMatchObject({ externalId: fake.agents()[0]!.id, adopted: true });
  });

  it("maps Cursor's errors to who can fix them", async () => {
    const { fake, d } = await setup();
    fake.failNext("unauthorized");
    const auth = await failure(d.dispatch(req()));
    expect(auth).toMatchObject({ kind: "config", status: 401 });
    expect(auth.message).toContain("API key");
    expect(auth.message).not.toContain("Unauthorized: invalid");
    expect(auth.detail).toContain("Unauthorized: invalid API key");

    fake.failNext("branch", { method: "POST" });
    const branch = await failure(d.dispatch(req()));
    expect(branch).toMatchObject({ kind: "config", status: 400 });
    expect(branch.message).toMatch(/Cursor GitHub App/);

    fake.failNext("rate_limit", { method: "POST" });
    expect(await failure(d.dispatch(req()))).toMatchObject({
      kind: "upstream",
      status: 429,
      retryAfterSeconds: 30,
    });

    fake.failNext("server_error", { method: "POST", times: 2 });
    const server = await failure(d.dispatch(req()));
    expect(server).toMatchObject({ kind: "upstream", status: 500 });
    expect(server.hint).toMatch(/retry/i);
    expect(fake.launches).toHaveLength(0);

    fake.failNext("server_error", { method: "GET" });
    expect((await d.dispatch(req())).adopted).toBe(false); // a GET 5xx is retried once
  });

  it("delivers a signed statusChange that verifyCursorWebhook accepts, and rejects forgeries", async () => {
    const receiver = await track(startWebhookReceiver());
    const { fake, d } = await setup({ secret: SECRET });
    const { externalId } = await d.dispatch(req({ callbackUrl: `${receiver.url}/webhooks/cursor` }));
    await fake.finish(externalId, { prUrl: "https://github.com/acme/api/pull/3", webhook: true });
    const delivery = receiver.deliveries[0]!;
    expect(delivery.headers["x-webhook-event"]).toBe("statusChange");
    const raw = Buffer.from(delivery.raw);
    const cb = verifyCursorWebhook(raw, delivery.headers, SECRET);
    expect(cb).toEqual({
      externalId,
      state: {
        status: "completed",
        url: `https://cursor.com/agents?id=${externalId}`,
        prUrl: "https://github.com/acme/api/pull/3",
        summary: "Fixed the bug and added a test.",
      },
    });
    const bad = await failure(
      Promise.resolve().then(() => verifyCursorWebhook(raw, delivery.headers, `${SECRET}x`)),
    );
    expect(bad).toMatchObject({ kind: "input", status: 401 });
    const tampered = Buffer.from(delivery.raw.replace("FINISHED", "ERROR"));
    expect(() => verifyCursorWebhook(tampered, delivery.headers, SECRET)).toThrow(/signature/);
    expect(() => verifyCursorWebhook(raw, {}, SECRET)).toThrow(/signature/);
  });
});

describe("Copilot dispatcher", () => {
  const setup = async (opts: { enabledRepos?: string[] } = {}) => {
    const fake = await track(startFakeCopilot(opts));
    const d = createDispatcher(target("copilot", { apiUrl: fake.url, token: fake.token }), deps);
    return { fake, d };
  };

  it("creates a task with the brief, base ref and create_pull_request", async () => {
    const { fake, d } = await setup();
    const result = await d.dispatch(req());
    const body = fake.created[0]!;
    expect(body.prompt).toContain("# Fix KeyError in checkout");
    expect(body.prompt).toContain("autofix-dispatch: run_abc123:agent:acme/api");
    expect(body).toMatchObject({ base_ref: "main", create_pull_request: true });
    const post = fake.requests.find((r) => r.method === "POST")!;
    expect(post.path).toBe("/agents/repos/acme/api/tasks");
    expect(post.headers).toMatchObject({
      authorization: `Bearer ${fake.token}`,
      accept: "application/vnd.github+json",
      "x-github-api-version": "2022-11-28",
    });
    expect(result).toMatchObject({ externalId: fake.tasks()[0]!.id, status: "queued", adopted: false });

    await d.dispatch(req({ dispatchId: "second", baseBranch: null, autoCreatePr: false }));
    expect(fake.created[1]).not.toHaveProperty("base_ref");
    expect(fake.created[1]).toMatchObject({ create_pull_request: false });
  });

  it("maps task states through the lifecycle and finds the PR, also from a GraphQL artifact", async () => {
    const { fake, d } = await setup();
    const { externalId: id } = await d.dispatch(req());
    const status = () => d.status(id, req());
    fake.advance(id, "in_progress");
    expect((await status()).status).toBe("running");
    fake.advance(id, "waiting_for_user");
    expect(await status()).toMatchObject({ status: "running", summary: expect.stringMatching(/waiting/) });
    fake.advance(id, "idle");
    expect((await status()).status).toBe("running");
    fake.advance(id, "completed", { number: 7 });
    expect(await status()).toMatchObject({
      status: "completed",
      prUrl: "https://github.com/acme/api/pull/7",
    });
    fake.advance(id, "idle", { number: 8, asArtifact: true });
    expect(await status()).toMatchObject({
      status: "completed",
      prUrl: "https://github.com/acme/api/pull/8",
    });
    for (const state of ["failed", "timed_out", "cancelled"] as const) {
      fake.advance(id, state);
      expect((await status()).status).toBe("failed");
    }
  });

  it("adopts an existing task with the marker and survives a lost create response", async () => {
    const { fake, d } = await setup();
    const first = await d.dispatch(req());
    expect(await d.dispatch(req())).toMatchObject({ externalId: first.externalId, adopted: true });
    fake.loseNextCreate();
    const other = await d.dispatch(req({ dispatchId: "other" }));
    expect(other.adopted).toBe(true);
    expect(fake.tasks()).toHaveLength(2);
  });

  it("maps licence, quota, auth, missing-repo and server errors", async () => {
    const { fake, d } = await setup({ enabledRepos: ["acme/api"] });
    fake.failNext("unauthorized");
    expect(await failure(d.dispatch(req()))).toMatchObject({ kind: "config", status: 401 });
    fake.failNext("not_licensed", { method: "POST" });
    const licence = await failure(d.dispatch(req()));
    expect(licence).toMatchObject({ kind: "config", status: 403 });
    expect(licence.message).toMatch(/license/);
    fake.failNext("quota", { method: "POST" });
    expect((await failure(d.dispatch(req()))).message).toMatch(/premium request quota/);
    const missing = await failure(d.dispatch(req({ repository: "acme/nope" })));
    expect(missing).toMatchObject({ kind: "config", status: 404 });
    expect(missing.message).toMatch(/not enabled/);
    fake.failNext("server_error", { method: "POST", times: 2 });
    expect(await failure(d.dispatch(req()))).toMatchObject({ kind: "upstream", status: 500 });
    expect(fake.tasks()).toHaveLength(0);
  });
});

describe("Claude Code Action dispatcher", () => {
  const setup = async () => {
    const fake = await track(startFakeGitHubIssues({ repos: ["acme/api"] }));
    const d = createDispatcher(target("claude_action", { apiUrl: fake.url, token: fake.token }), deps);
    return { fake, d };
  };

  it("opens an issue with the brief and asks @claude for a draft PR", async () => {
    const { fake, d } = await setup();
    const result = await d.dispatch(req());
    const [issue] = fake.issues("acme/api");
    expect(issue).toMatchObject({
      number: 1,
      title: "fix(billing): default the missing plan",
      labels: ["autofix"],
    });
    expect(issue!.body).toContain("# Fix KeyError in checkout");
    expect(issue!.body).toContain("<!-- autofix-dispatch: run_abc123:agent:acme/api -->");
    expect(issue!.comments).toHaveLength(1);
    expect(issue!.comments[0]!.body).toMatch(/^@claude /);
    expect(issue!.comments[0]!.body).toContain("draft pull request");
    expect(issue!.comments[0]!.body).toContain("Fixes API-42");
    expect(result).toEqual({
      externalId: "1",
      status: "queued",
      url: "https://github.com/acme/api/issues/1",
      prUrl: null,
      adopted: false,
    });
  });

  it("adopts the issue on a second dispatch and posts a missing @claude comment only once", async () => {
    const { fake, d } = await setup();
    fake.failNext("server_error", { method: "POST", path: /comments$/, times: 2 });
    await failure(d.dispatch(req()));
    expect(fake.issues("acme/api")[0]!.comments).toHaveLength(0);
    const again = await d.dispatch(req());
    expect(again).toMatchObject({ externalId: "1", adopted: true });
    const third = await d.dispatch(req());
    expect(third.adopted).toBe(true);
    expect(fake.issues("acme/api")).toHaveLength(1);
    expect(fake.issues("acme/api")[0]!.comments).toHaveLength(1);
  });

  it("reads Claude's tracking comment: working, Create-PR link, PR, error", async () => {
    const { fake, d } = await setup();
    const { externalId } = await d.dispatch(req());
    expect((await d.status(externalId, req())).status).toBe("queued");
    fake.claudeStarts("acme/api", 1);
    expect(await d.status(externalId, req())).toMatchObject({
      status: "running",
      url: "https://github.com/acme/api/issues/1",
    });
    fake.claudeFinishes("acme/api", 1, { compareLink: true });
    const compare = await d.status(externalId, req());
    expect(compare).toMatchObject({ status: "completed", prUrl: null });
    expect(compare.summary).toMatch(
      /https:\/\/github\.com\/acme\/api\/compare\/main\.\.\.claude\/issue-1-.*quick_pull=1/,
    );
    fake.claudeFinishes("acme/api", 1, { pr: 9, compareLink: true });
    expect(await d.status(externalId, req())).toMatchObject({
      status: "completed",
      prUrl: "https://github.com/acme/api/pull/9",
      summary: null,
    });
    fake.claudeFails("acme/api", 1);
    expect((await d.status(externalId, req())).status).toBe("failed");
  });

  it("maps bad tokens, disabled issues and unknown repositories to configuration errors", async () => {
    const { fake, d } = await setup();
    fake.failNext("unauthorized");
    expect(await failure(d.dispatch(req()))).toMatchObject({ kind: "config", status: 401 });
    fake.failNext("issues_disabled", { method: "POST" });
    expect((await failure(d.dispatch(req()))).message).toMatch(/Issues are disabled/);
    const missing = await failure(d.dispatch(req({ repository: "acme/nope" })));
    expect(missing).toMatchObject({ kind: "config", status: 404 });
  });
});

describe("webhook dispatcher", () => {
  const setup = async () => {
    const receiver = await track(startWebhookReceiver({ secret: SECRET }));
    const d = createDispatcher(
      target("webhook", { url: `${receiver.url}/hooks/autofix`, secret: SECRET }),
      deps,
    );
    return { receiver, d };
  };

  it("POSTs the signed brief with an idempotency key", async () => {
    const { receiver, d } = await setup();
    const result = await d.dispatch(req({ callbackUrl: "https://autofix.example/webhooks/webhook" }));
    const delivery = receiver.deliveries[0]!;
    expect(delivery.verified).toBe(true);
    expect(delivery.headers).toMatchObject({
      "content-type": "application/json",
      "idempotency-key": "run_abc123:agent:acme/api",
      "x-autofix-timestamp": "1767000000",
    });
    expect(delivery.body).toEqual({
      dispatch_id: "run_abc123:agent:acme/api",
      run_id: "run_abc123",
      short_id: "API-42",
      brief: req().brief,
      pr_title: "fix(billing): default the missing plan",
      pr_body: "Fixes API-42",
      branch: "autofix/api-42-keyerror-abc123",
      base_branch: "main",
      repository: "acme/api",
      auto_create_pr: true,
      callback_url: "https://autofix.example/webhooks/webhook",
    });
    expect(result).toEqual({
      externalId: "run_abc123:agent:acme/api",
      status: "queued",
      url: null,
      prUrl: null,
      adopted: false,
    });
  });

  it("reads the receiver's answer, reports a deduplicated resend as adopted, and maps errors", async () => {
    const { receiver, d } = await setup();
    receiver.reply = {
      status: 200,
      body: { id: "job-9", status: "running", url: "https://ci.example/job/9" },
    };
    const first = await d.dispatch(req());
    expect(first).toMatchObject({ externalId: "job-9", status: "running", url: "https://ci.example/job/9" });
    expect(await d.status("job-9", req())).toMatchObject({ status: "running" });
    receiver.dedupe = true;
    expect((await d.dispatch(req())).adopted).toBe(true);

    receiver.reply = { status: 401, body: { error: "bad signature" } };
    expect(await failure(d.dispatch(req({ dispatchId: "x" })))).toMatchObject({
      kind: "config",
      status: 401,
    });
    receiver.reply = { status: 503, body: { error: "down" } };
    const before = receiver.deliveries.length;
    expect(await failure(d.dispatch(req({ dispatchId: "y" })))).toMatchObject({
      kind: "upstream",
      status: 503,
    });
    expect(receiver.deliveries.length).toBe(before + 1); // a POST is never resent blindly
  });

  describe("verifyAutofixCallback", () => {
    const now = 1_767_000_000;
    const signed = (body: unknown, ts = now, secret = SECRET) => {
      const raw = JSON.stringify(body);
      const sig = createHmac("sha256", secret).update(`${ts}.${raw}`).digest("hex");
      return {
        raw: Buffer.from(raw),
        headers: { "x-autofix-timestamp": String(ts), "x-autofix-signature": `sha256=${sig}` },
      };
    };
    const body = {
      dispatch_id: "run_1:hook:acme/api",
      status: "completed",
      pr_url: "https://github.com/acme/api/pull/4",
    };

    it("accepts a good signature", () => {
      const { raw, headers } = signed(body);
      expect(verifyAutofixCallback(raw, headers, SECRET, now + 10)).toEqual({
        externalId: "run_1:hook:acme/api",
        state: { status: "completed", url: null, prUrl: "https://github.com/acme/api/pull/4", summary: null },
      });
      const byId = signed({ id: "job-9", status: "failed", summary: "tests failed" });
      expect(verifyAutofixCallback(byId.raw, byId.headers, SECRET, now).state).toMatchObject({
        status: "failed",
      });
    });

    it("rejects a bad signature, a tampered body and a stale timestamp", () => {
      const wrong = signed(body, now, "another-secret");
      expect(() => verifyAutofixCallback(wrong.raw, wrong.headers, SECRET, now)).toThrow(
        /invalid callback signature/,
      );
      const { raw, headers } = signed(body);
      const tampered = Buffer.from(raw.toString().replace("completed", "failed"));
      expect(() => verifyAutofixCallback(tampered, headers, SECRET, now)).toThrow(
        /invalid callback signature/,
      );
      const stale = signed(body, now - 301);
      try {
        verifyAutofixCallback(stale.raw, stale.headers, SECRET, now);
        throw new Error("accepted a stale callback");
      } catch (error) {
        expect(error).toMatchObject({ kind: "input", status: 401, message: expect.stringMatching(/stale/) });
      }
      expect(() => verifyAutofixCallback(raw, {}, SECRET, now)).toThrow(/signature/);
    });
  });
});

describe("createDispatcher configuration", () => {
  it("names what to set when a credential is missing", () => {
    const err = (t: TargetConfig) => {
      try {
        createDispatcher(t, deps);
      } catch (error) {
        return error as AppError;
      }
      throw new Error("expected a configuration error");
    };
    expect(err(target("cursor")).hint).toMatch(/CURSOR_API_KEY/);
    expect(err(target("copilot")).hint).toMatch(/GITHUB_TOKEN/);
    expect(err(target("claude_action")).hint).toMatch(/GITHUB_TOKEN/);
    expect(err(target("webhook", { secret: SECRET })).message).toMatch(/no url/);
    expect(err(target("webhook", { url: "http://127.0.0.1:9" })).hint).toMatch(/secretEnv/);
    for (const t of ["cursor", "copilot", "claude_action", "webhook"] as const)
      expect(err(target(t)).kind).toBe("config");
  });
});

describe("agent HTTP", () => {
  it("times out, caps the response size, and retries a failed GET once", async () => {
    let calls = 0;
    const server = await track(
      serveJson(() =>
        ++calls === 1 ? { status: 502, body: {} } : { status: 200, body: { big: "x".repeat(5000) } },
      ),
    );
    const res = await jsonRequest("Test", "GET", server.url);
    expect(res.status).toBe(200);
    expect(calls).toBe(2);
    expect(await failure(jsonRequest("Test", "GET", server.url, { maxBytes: 1000 }))).toMatchObject({
      kind: "upstream",
    });
    server.setLatency(300);
    const slow = await failure(jsonRequest("Test", "POST", server.url, { body: {}, timeoutMs: 50 }));
    expect(slow.message).toMatch(/did not answer/);
  });
});
