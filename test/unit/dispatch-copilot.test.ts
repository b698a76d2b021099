import { describe, expect, it } from "vitest";
import { createDispatcher } from "../../src/handoff/targets.ts";
import { startFakeCopilot } from "../fakes/copilot.ts";

import { closeFakesAfterEach, deps, failure, req, target, track } from "../helpers/dispatch.ts";

closeFakesAfterEach();

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
