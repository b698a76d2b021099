import { describe, expect, it } from "vitest";
import { createDispatcher } from "../../src/handoff/targets.ts";
import { startFakeGitHubIssues } from "../fakes/github-issues.ts";

import { closeFakesAfterEach, deps, failure, req, target, track } from "../helpers/dispatch.ts";

closeFakesAfterEach();

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
