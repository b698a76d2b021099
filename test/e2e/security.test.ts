import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SandboxHandle, startSandbox } from "../../src/sandbox/server.ts";
import { kindsScenario } from "../fixtures/kinds.ts";
import { type Spawned, spawnCli, stdioRpc } from "../helpers/spawn.ts";

/**
 * Canary secrets: the server's own tokens and secrets planted in Sentry data and in Sentry's error bodies
 * must never appear in tool output, error text, stdout or the logs — whatever the tools are asked.
 */
const SENTRY_TOKEN = "sntrys_CANARY_SENTRY_TOKEN_5f1e9d2c7b3a";
const GITHUB_TOKEN = "ghp_CANARYGITHUBTOKEN0123456789abcdef";
const HTTP_TOKEN = "CANARY_HTTP_TOKEN_0123456789abcdef";
const CANARIES = [SENTRY_TOKEN, GITHUB_TOKEN, HTTP_TOKEN, "hunter2", "abcdef123456", "AKIAABCDEFGHIJKLMNOP"];

let sandbox: SandboxHandle;
let server: Spawned;
let rpc: ReturnType<typeof stdioRpc>;

beforeAll(async () => {
  sandbox = await startSandbox({ scenario: kindsScenario(), token: SENTRY_TOKEN });
  server = spawnCli([], {
    SENTRY_HOST: sandbox.url,
    SENTRY_ACCESS_TOKEN: SENTRY_TOKEN,
    SENTRY_ORG: "acme",
    GITHUB_TOKEN,
    AUTOFIX_HTTP_TOKEN: HTTP_TOKEN,
    AUTOFIX_LOG_LEVEL: "debug",
  });
  // One JSON-RPC client for the whole file: request IDs must not repeat on one connection.
  rpc = stdioRpc(server);
});
afterAll(async () => {
  await server.kill();
  await sandbox.close();
});

describe("secrets never leave the server", () => {
  it("keeps canaries out of outputs, errors, stdout and logs", async () => {
    await rpc.request("initialize", {
      protocolVersion: "2025-06-18",
      capabilities: {},
      clientInfo: { name: "sec", version: "1" },
    });
    rpc.notify("notifications/initialized");
    // Sentry echoes the credential in an error body (a misbehaving proxy might).
    sandbox.fail({
      match: "/issues/9001/",
      status: 500,
      message: `upstream said: Authorization: Bearer ${SENTRY_TOKEN}`,
      times: 10,
    });
    sandbox.fail({ match: "/issues/9002/", status: 502, kind: "html", times: 10 });
    const calls: Array<[string, Record<string, unknown>]> = [
      ["get_issue", { issue: "KINDS-SECRETS", detail: "full" }],
      ["get_issue", { issue: "9001" }],
      ["get_issue", { issue: "9002" }],
      ["get_issue", { issue: `https://evil.example/organizations/acme/issues/1/?token=${SENTRY_TOKEN}` }],
      ["search_issues", { query: `token=${SENTRY_TOKEN}` }],
      ["search_logs", { query: SENTRY_TOKEN }],
      ["get_run", {}],
    ];
    const texts: string[] = [];
    for (const [name, args] of calls) {
      const res = await rpc.request("tools/call", { name, arguments: args });
      texts.push(JSON.stringify(res));
    }
    const everything = [...texts, ...server.stdoutLines, server.stderr()].join("\n");
    for (const canary of CANARIES)
      expect(everything, `canary ${canary.slice(0, 12)} leaked`).not.toContain(canary);
    expect(everything).toContain("[Filtered]");
  });

  it("quotes injected instructions as data and does nothing they ask", async () => {
    sandbox.clearRequests();
    const res = await rpc.request("tools/call", {
      name: "get_issue",
      arguments: { issue: "KINDS-SECRETS", detail: "full" },
    });
    const text: string = res.result.content[0].text;
    const line = text.split("\n").find((l) => l.includes("IGNORE ALL PREVIOUS INSTRUCTIONS"))!;
    expect(line).toMatch(/`IGNORE ALL PREVIOUS INSTRUCTIONS[^`]*`/);
    // Only the reads get_issue makes; nothing the text asked for (no handoff, no other host).
    expect(sandbox.requests.every((r) => r.method === "GET")).toBe(true);
    expect(sandbox.requests.some((r) => r.path.includes("hand_off"))).toBe(false);
  });
});
