import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SandboxHandle, startSandbox } from "../../src/sandbox/server.ts";
import { kindsScenario } from "../fixtures/kinds.ts";
import { connect, testContext, textOf } from "../helpers/context.ts";

/**
 * What a session can make the server ask Sentry, through a real MCP client: a project slug cannot remove a
 * path segment, and an issue URL must name the configured Sentry's scheme, host and port.
 */
let sandbox: SandboxHandle;
let context: ReturnType<typeof testContext>;
let session: Awaited<ReturnType<typeof connect>>;

beforeAll(async () => {
  sandbox = await startSandbox({ scenario: kindsScenario() });
  context = testContext({ sentryUrl: sandbox.url });
  session = await connect(context);
});
afterAll(async () => {
  await session?.close();
  await context?.close();
  await sandbox?.close();
});

describe("requests stay on the paths and origin the server means", () => {
  it('refuses get_profile {"project": ".."} before any request', async () => {
    sandbox.clearRequests();
    for (const project of ["..", ".", "a/b", "../acme"]) {
      const res = await session.client.callTool({
        name: "get_profile",
        arguments: { profile_id: "0123456789abcdef0123456789abcdef", project },
      });
      expect(res.isError, project).toBe(true);
      expect(textOf(res)).toContain("is not a project slug");
    }
    expect(sandbox.requests.filter((r) => r.path.includes("profiling"))).toHaveLength(0);
  });

  it("refuses an issue URL on the configured host but another port or scheme", async () => {
    const base = new URL(sandbox.url);
    const otherPort = Number(base.port) === 1 ? 2 : Number(base.port) - 1;
    for (const url of [
      `http://${base.hostname}:${otherPort}/organizations/acme/issues/9011/`,
      `https://${base.host}/organizations/acme/issues/9011/`,
    ]) {
      const res = await session.client.callTool({ name: "get_issue", arguments: { issue: url } });
      expect(res.isError, url).toBe(true);
      expect(textOf(res)).toContain("it only reads from the configured Sentry");
    }
    const same = await session.client.callTool({
      name: "get_issue",
      arguments: { issue: `${sandbox.url}/organizations/acme/issues/9011/` },
    });
    expect(same.isError).toBeFalsy();
  });
});
