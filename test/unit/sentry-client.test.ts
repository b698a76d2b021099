import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type AppError, NotFoundError } from "../../src/errors.ts";
import { type SandboxHandle, startSandbox } from "../../src/sandbox/server.ts";
import { serveJson } from "../fakes/serve.ts";
import { kindsScenario } from "../fixtures/kinds.ts";
import { testContext } from "../helpers/context.ts";

let sandbox: SandboxHandle;
beforeAll(async () => {
  sandbox = await startSandbox({ scenario: kindsScenario() });
});
afterAll(() => sandbox.close());
afterEach(() => {
  sandbox.faults.clear();
  sandbox.clearRequests();
});

const client = (options: Partial<Parameters<typeof testContext>[0]> = {}) =>
  testContext({ sentryUrl: sandbox.url, ...options }).sentry;

async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    return error as AppError;
  }
  throw new Error("expected a failure");
}

describe("Sentry client against the sandbox", () => {
  it("reads an issue by short ID and by numeric ID", async () => {
    const sentry = client();
    expect((await sentry.getIssue("acme", "KINDS-MSG")).id).toBe("9005");
    expect((await sentry.getIssue("acme", "9005")).shortId).toBe("KINDS-MSG");
  });

  it("treats a 404 from /users/me/regions/ as self-hosted and then talks to the one host", async () => {
    await client().getIssue("acme", "9005");
    expect(sandbox.requests.map((r) => r.path)).toEqual([
      "/api/0/users/me/regions/",
      "/api/0/organizations/acme/issues/9005/",
    ]);
  });

  it("retries a 503 and succeeds", async () => {
    sandbox.fail({ match: "/issues/9005/", status: 503, times: 1 });
    expect((await client().getIssue("acme", "9005")).id).toBe("9005");
    expect(sandbox.requests.filter((r) => r.path.endsWith("/issues/9005/"))).toHaveLength(2);
  });

  it("waits out a 429 until X-Sentry-Rate-Limit-Reset, then succeeds", async () => {
    sandbox.fail({ match: "/issues/9005/", status: 429, times: 1, resetSeconds: 1 });
    const started = Date.now();
    expect((await client().getIssue("acme", "9005")).id).toBe("9005");
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it("gives up on a 429 that resets too far away, saying when to retry", async () => {
    sandbox.fail({ match: "/issues/9005/", status: 429, resetSeconds: 3600 });
    const error = await failure(client().getIssue("acme", "9005"));
    expect(error.kind).toBe("upstream");
    expect(error.message).toContain("rate-limiting");
    expect(error.retryAfterSeconds).toBeGreaterThan(3000);
  });

  it("types 401 and 403 as configuration problems that name the setting", async () => {
    sandbox.fail({ match: "/issues/9005/", status: 401 });
    const e401 = await failure(client().getIssue("acme", "9005"));
    expect(e401.kind).toBe("config");
    expect(e401.hint).toContain("SENTRY_ACCESS_TOKEN");
    sandbox.faults.clear();
    sandbox.fail({ match: "/issues/9005/", status: 403 });
    const e403 = await failure(client().getIssue("acme", "9005"));
    expect(e403.kind).toBe("config");
    expect(e403.hint).toContain("event:read");
  });

  it("rejects a wrong token with a clear message", async () => {
    const error = await failure(client({ token: "wrong-token" }).getIssue("acme", "9005"));
    expect(error.kind).toBe("config");
  });

  it("turns a 404 into a not-found the model can act on", async () => {
    const error = await failure(client().getIssue("acme", "NOPE-1"));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toContain("NOPE-1");
    expect(error.hint).toContain("search_issues");
  });

  it("falls back to /shortids/ when the details route does not resolve short IDs", async () => {
    sandbox.fail({ match: /\/issues\/KINDS-MSG\/$/, status: 404 });
    expect((await client().getIssue("acme", "KINDS-MSG")).id).toBe("9005");
    expect(sandbox.requests.some((r) => r.path.includes("/shortids/KINDS-MSG/"))).toBe(true);
  });

  it("falls back from recommended to latest on Sentry versions without it", async () => {
    sandbox.fail({ match: "/events/recommended/", status: 404 });
    const event = await client().getIssueEvent("acme", "9005", "recommended");
    expect(event.id).toBe("7".repeat(32));
  });

  it("keeps HTML error pages and truncated JSON out of error messages", async () => {
    sandbox.fail({ match: "/issues/9005/", status: 502, kind: "html" });
    const html = await failure(client({ maxRetries: 0 }).getIssue("acme", "9005"));
    expect(html.message).not.toContain("<html>");
    expect(html.detail).toContain("<html>");
    sandbox.faults.clear();
    sandbox.fail({ match: "/issues/9005/", kind: "truncated" });
    const truncated = await failure(client().getIssue("acme", "9005"));
    expect(truncated.kind).toBe("upstream");
    expect(truncated.message).toContain("not JSON");
  });

  it("retries a connection reset, then reports it", async () => {
    sandbox.fail({ match: "/issues/9005/", kind: "reset" });
    const error = await failure(client({ maxRetries: 1 }).getIssue("acme", "9005"));
    expect(error.kind).toBe("upstream");
    expect(sandbox.requests.filter((r) => r.path.endsWith("/issues/9005/"))).toHaveLength(2);
  });

  it("times out a hanging request instead of waiting forever", async () => {
    sandbox.fail({ match: "/issues/9005/", kind: "hang" });
    const sentry = client({ maxRetries: 1, timeoutMs: 200 });
    const error = await failure(sentry.getIssue("acme", "9005"));
    expect(error.message).toContain("did not answer");
    expect(sandbox.requests.filter((r) => r.path.endsWith("/issues/9005/"))).toHaveLength(2);
  });

  it("says what to set when there is no token", async () => {
    const error = await failure(client({ token: null }).getIssue("acme", "9005"));
    expect(error.kind).toBe("config");
    expect(error.message).toContain("SENTRY_ACCESS_TOKEN");
  });

  it("uses the token's only organisation when none is configured", async () => {
    expect(await client({ org: null }).org()).toBe("acme");
  });
});

describe("SaaS region discovery", () => {
  let saas: SandboxHandle;
  beforeAll(async () => {
    saas = await startSandbox({ scenario: kindsScenario(), mode: "saas" });
  });
  afterAll(() => saas.close());

  it("sends organisation calls to the region host named in links.regionUrl", async () => {
    const sentry = testContext({ sentryUrl: saas.url }).sentry;
    expect((await sentry.getIssue("acme", "9005")).id).toBe("9005");
    await sentry.getIssue("acme", "9006");
    const paths = saas.requests.map((r) => r.path);
    expect(paths.slice(0, 2)).toEqual(["/api/0/users/me/regions/", "/api/0/organizations/acme/"]);
    expect(paths.slice(2)).toEqual([
      "/region/us/api/0/organizations/acme/issues/9005/",
      "/region/us/api/0/organizations/acme/issues/9006/",
    ]);
  });
});

describe("region URLs must match the configured origin", () => {
  it("ignores a region on the same host but another port, and keeps the token at home", async () => {
    const elsewhere = await serveJson(() => ({ status: 200, body: { id: "1" } }));
    const home = await serveJson((req) => {
      if (req.path === "/api/0/users/me/regions/")
        return { status: 200, body: { regions: [{ name: "us", url: elsewhere.url }] } };
      if (req.path === "/api/0/organizations/acme/")
        return { status: 200, body: { id: "1", slug: "acme", links: { regionUrl: elsewhere.url } } };
      return {
        status: 200,
        body: { id: "9005", shortId: "X-1", title: "t", project: { id: "1", slug: "p" } },
      };
    });
    try {
      expect(new URL(elsewhere.url).hostname).toBe(new URL(home.url).hostname);
      const sentry = testContext({ sentryUrl: home.url }).sentry;
      await sentry.getIssue("acme", "9005");
      expect(elsewhere.requests).toHaveLength(0);
      expect(home.requests.map((r) => r.path)).toContain("/api/0/organizations/acme/issues/9005/");
    } finally {
      await elsewhere.close();
      await home.close();
    }
  });
});
