import { describe, expect, it } from "vitest";
import { verifyCursorWebhook } from "../../src/handoff/cursor.ts";
import { createDispatcher } from "../../src/handoff/targets.ts";
import type { TargetConfig } from "../../src/handoff/types.ts";
import { startFakeCursor } from "../fakes/cursor.ts";
import { startWebhookReceiver } from "../fakes/webhook-receiver.ts";

import { closeFakesAfterEach, deps, failure, req, SECRET, target, track } from "../helpers/dispatch.ts";

closeFakesAfterEach();

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
