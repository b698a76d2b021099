import { describe, expect, it } from "vitest";
import { checkAgentState, githubWebHost, pullRequestProblem } from "../../src/handoff/agent-urls.ts";

describe("agent links", () => {
  const github = { repository: "acme/orders", githubApiUrl: "https://api.github.com" };
  const ghe = { repository: "acme/orders", githubApiUrl: "https://ghe.example.com/api/v3" };

  it("accepts a PR of the dispatched repository on GitHub or the configured Enterprise host", () => {
    expect(githubWebHost(ghe.githubApiUrl)).toBe("ghe.example.com");
    expect(pullRequestProblem("https://github.com/ACME/orders/pull/12", github)).toBeNull();
    expect(pullRequestProblem("https://ghe.example.com/acme/orders/pull/12", ghe)).toBeNull();
    expect(pullRequestProblem("https://github.com/acme/orders/pull/12", ghe)).toContain("ghe.example.com");
    expect(pullRequestProblem("https://github.com/acme/other/pull/12", github)).toContain("acme/orders");
    expect(pullRequestProblem("https://user:pw@github.com/acme/orders/pull/1", github)).not.toBeNull();
  });

  it("drops refused links and keeps the status", () => {
    const out = checkAgentState(
      {
        status: "completed",
        url: "data:text/html,x",
        prUrl: "https://github.com/acme/orders/pull/3",
        summary: null,
      },
      github,
    );
    expect(out.state).toMatchObject({
      status: "completed",
      url: null,
      prUrl: "https://github.com/acme/orders/pull/3",
    });
    expect(out.problems).toEqual(["url is not an https URL"]);
  });
});
