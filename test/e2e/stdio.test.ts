import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SandboxHandle, startSandbox } from "../../src/sandbox/server.ts";
import { kindsScenario } from "../fixtures/kinds.ts";
import { readStore } from "../helpers/automation.ts";
import { type Spawned, spawnCli, stdioRpc } from "../helpers/spawn.ts";

let sandbox: SandboxHandle;
let server: Spawned;

beforeAll(async () => {
  sandbox = await startSandbox({ scenario: kindsScenario() });
  server = spawnCli([], {
    SENTRY_HOST: sandbox.url,
    SENTRY_ACCESS_TOKEN: "sandbox-token",
    SENTRY_ORG: "acme",
    AUTOFIX_LOG_LEVEL: "debug",
  });
});
afterAll(async () => {
  await server.kill();
  await sandbox.close();
});

describe("the CLI over stdio", () => {
  it("initializes, lists get_issue with annotations, and answers get_issue", async () => {
    const rpc = stdioRpc(server);
    const init = await rpc.request("initialize", {
      protocolVersion: "2025-06-18",
      capabilities: {},
      clientInfo: { name: "e2e", version: "1" },
    });
    expect(init.result.serverInfo.name).toBe("autofix-mcp");
    expect(init.result.instructions).toContain("get_issue");
    rpc.notify("notifications/initialized");

    const list = await rpc.request("tools/list");
    const tool = list.result.tools.find((t: { name: string }) => t.name === "get_issue");
    expect(tool.annotations.readOnlyHint).toBe(true);
    expect(tool.inputSchema.type).toBe("object");
    expect(tool.inputSchema.properties.issue).toBeDefined();
    expect(tool.outputSchema.properties.issue).toBeDefined();

    const call = await rpc.request("tools/call", { name: "get_issue", arguments: { issue: "KINDS-GROUP" } });
    expect(call.result.isError).toBeFalsy();
    const text: string = call.result.content[0].text;
    expect(text).toContain("ValueError");
    expect(text).toContain("app/skus.py:21");
    expect(call.result.structuredContent.issue.short_id).toBe("KINDS-GROUP");

    const bad = await rpc.request("tools/call", {
      name: "get_issue",
      arguments: { issue: "not an id at all" },
    });
    expect(bad.result.isError).toBe(true);
    expect(bad.result.content[0].text).toContain("short ID");

    // 2025-11-25: an unknown tool is a protocol error; arguments off the schema are a tool error the model reads.
    const unknown = await rpc.request("tools/call", { name: "get_issues", arguments: {} });
    expect(unknown.result).toBeUndefined();
    expect(unknown.error.code).toBe(-32602);
    expect(unknown.error.message).toContain("get_issue,");
    // Clients prefix "MCP error <code>: " themselves; the message must not carry it already.
    expect(unknown.error.message).toMatch(/^Unknown tool: get_issues\./);
    const wrongType = await rpc.request("tools/call", { name: "get_issue", arguments: { issue: 42 } });
    expect(wrongType.result.isError).toBe(true);
    expect(wrongType.result.content[0].text).toMatch(/`issue`: .*expected string[\s\S]*e\.g\. \{"issue"/);
    const missing = await rpc.request("tools/call", { name: "get_issue" });
    expect(missing.result.isError).toBe(true);
    expect(missing.result.content[0].text).toContain("`issue`");
  });

  it("answers prompt and resource errors with the code of their kind and a message without a code prefix", async () => {
    const rpc = stdioRpc(server);
    const noRun = await rpc.request("resources/read", { uri: "autofix://runs/run_20990101_0000000000" });
    expect(noRun.error).toMatchObject({
      code: -32002,
      data: { uri: "autofix://runs/run_20990101_0000000000" },
    });
    expect(noRun.error.message).toMatch(
      /^Invalid request: run run_20990101_0000000000 does not exist\.\nNext: .*get_run/,
    );
    const noTemplate = await rpc.request("resources/read", { uri: "autofix://nothing/here" });
    expect(noTemplate.error.code).toBe(-32002);
    expect(noTemplate.error.message).toContain("autofix://runs/{id}");
    const noSubscription = await rpc.request("resources/subscribe", {
      uri: "autofix://runs/run_20990101_0000000000",
    });
    expect(noSubscription.error.code).toBe(-32002);
    const noPrompt = await rpc.request("prompts/get", { name: "diagnose_issues", arguments: {} });
    expect(noPrompt.error.code).toBe(-32602);
    expect(noPrompt.error.message).not.toMatch(/MCP error/);
    const badRules = await rpc.request("prompts/get", {
      name: "apply_rules",
      arguments: { paths: "../../etc/passwd" },
    });
    expect(badRules.error).toMatchObject({ code: -32602, data: { kind: "input" } });
    expect(badRules.error.message).toMatch(/^Invalid request: /);
  });

  it("writes nothing but JSON-RPC to stdout, and logs to stderr", () => {
    expect(server.stdoutLines.length).toBeGreaterThan(0);
    for (const line of server.stdoutLines) {
      const msg = JSON.parse(line);
      expect(msg.jsonrpc).toBe("2.0");
    }
    expect(server.stderr()).toContain('"msg":"tool call"');
    expect(server.stderr()).not.toContain("sandbox-token");
  });

  it("exits when stdin closes", async () => {
    const child = spawnCli([], { SENTRY_HOST: sandbox.url, SENTRY_ACCESS_TOKEN: "sandbox-token" });
    await child.waitForStderr(/serving MCP over stdio/);
    const exit = new Promise<number | null>((r) => child.child.once("exit", (code) => r(code)));
    child.child.stdin.end();
    expect(await exit).toBe(0);
  });

  it("refuses bad configuration with a message on stderr and exit code 2", async () => {
    const child = spawnCli([], { SENTRY_HOST: "http://sentry.example.com" });
    const exit = await new Promise<number | null>((r) => child.child.once("exit", (code) => r(code)));
    expect(exit).toBe(2);
    expect(child.stderr()).toContain("--allow-http");
    expect(child.stdoutLines).toEqual([]);
  });
});

describe("--demo", () => {
  it("serves the bundled sample organisation with no Sentry settings", async () => {
    // No AUTOFIX_DB: the default database would be under the state directory, which the demo must not touch.
    const state = mkdtempSync(join(tmpdir(), "autofix-demo-state-"));
    const demo = spawnCli(["--demo"], { AUTOFIX_DB: "", XDG_STATE_HOME: state, HOME: state });
    try {
      const rpc = stdioRpc(demo);
      await rpc.request("initialize", {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: "e2e", version: "1" },
      });
      rpc.notify("notifications/initialized");
      const call = await rpc.request("tools/call", {
        name: "get_issue",
        arguments: { issue: "ORDERS-API-7A" },
      });
      expect(call.result.isError).toBeFalsy();
      expect(call.result.content[0].text).toContain("applyCoupon");
      const trace = await rpc.request("tools/call", {
        name: "get_trace",
        arguments: { issue: "ORDERS-API-7A" },
      });
      expect(trace.result.content[0].text).toContain("STOREFRONT-3F");

      // The walk-through: root cause grounded in the sample repository, plan, brief with its rules.
      const tool = async (name: string, args: Record<string, unknown>) => {
        const res = await rpc.request("tools/call", { name, arguments: args });
        expect(res.result.isError, JSON.stringify(res.result.content)).toBeFalsy();
        return res.result.structuredContent;
      };
      const rootCause = await tool("analyze_root_cause", { issue: "ORDERS-API-7A" });
      expect(rootCause.candidates[0]).toMatchObject({
        repo: "acme/orders-api",
        path: "src/pricing/discounts.ts",
      });
      // The story reads cause → effect: orders-api raised the TypeError; storefront only received the 500.
      const top = rootCause.candidates[0];
      expect(top.reasons.join(" ")).not.toMatch(/only reported a failed call/);
      const storefront = rootCause.candidates.findIndex(
        (c: { repo: string }) => c.repo === "acme/storefront",
      );
      const ordersApi = rootCause.candidates.filter((c: { repo: string }) => c.repo === "acme/orders-api");
      expect(storefront).toBeGreaterThanOrEqual(ordersApi.length);
      expect(rootCause.candidates[storefront].reasons.join(" ")).toMatch(/an effect, not the cause/);
      const chain = rootCause.causal_chain.map((s: { description: string }) => s.description);
      const raised = chain.findIndex((d: string) => d.includes("was raised in `applyCoupon`"));
      const storefrontFailed = chain.findIndex((d: string) => d.includes("storefront failed too"));
      const submission = chain.findIndex((d: string) => d.includes("order submission failed"));
      expect(raised).toBeGreaterThanOrEqual(0);
      expect(storefrontFailed).toBeGreaterThan(raised);
      expect(submission).toBeGreaterThan(raised);
      const stacked = rootCause.suspect_commits.filter((c: { subject: string }) =>
        c.subject.includes("stacked coupons"),
      );
      expect(stacked).toHaveLength(1);
      const plan = await tool("propose_solution", { run_id: rootCause.run_id });
      expect(plan.steps[0].files).toContain("src/pricing/discounts.ts");
      const handoff = await tool("hand_off", { run_id: rootCause.run_id });
      expect(handoff.brief).toContain("Fixes ORDERS-API-7A");
      expect(handoff.rules.map((r: { file: string }) => r.file)).toEqual(
        expect.arrayContaining([".cursor/rules/pricing.mdc", "AGENTS.md", "CLAUDE.md"]),
      );
      expect(handoff.dispatch).toMatchObject({ target: "chat", status: "ready" });

      // N+1: the list that calls the per-item query once per row is where to fix it; the profile's hottest
      // function (the per-item query) is evidence, ranked after it.
      const n1 = await tool("analyze_root_cause", { issue: "ORDERS-API-7D" });
      expect(n1.candidates.slice(0, 2)).toMatchObject([
        { function: "listOrders", source: "list_query", path: "src/services/order-service.ts" },
        { function: "loadItems" },
      ]);
      expect(n1.candidates[1].reasons.join(" ")).toMatch(/hottest application function/);
      const n1Plan = await tool("propose_solution", { run_id: n1.run_id });
      expect(n1Plan.steps[0].title).toMatch(
        /Eager-load in `listOrders` instead of calling `loadItems` once per row/,
      );
    } finally {
      await demo.kill();
    }
    // The sample checkouts and the sample runs are private to the process and removed when it stops.
    expect(readdirSync(state, { recursive: true })).toEqual([]);
    const checkouts = /"checkouts":"([^"]+)"/.exec(demo.stderr())?.[1];
    expect(checkouts).toBeTruthy();
    expect(existsSync(checkouts as string)).toBe(false);
    const runs = /"runs":"([^"]+)"/.exec(demo.stderr())?.[1];
    expect(runs?.startsWith(checkouts as string)).toBe(true);
    expect(existsSync(runs as string)).toBe(false);
    rmSync(state, { recursive: true, force: true });
  });

  it("keeps its runs in the database AUTOFIX_DB names", async () => {
    const dir = mkdtempSync(join(tmpdir(), "autofix-demo-db-"));
    const named = join(dir, "demo-runs.db");
    const demo = spawnCli(["--demo"], { AUTOFIX_DB: named });
    try {
      const rpc = stdioRpc(demo);
      await rpc.request("initialize", {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: "e2e", version: "1" },
      });
      rpc.notify("notifications/initialized");
      const res = await rpc.request("tools/call", {
        name: "analyze_root_cause",
        arguments: { issue: "ORDERS-API-7A" },
      });
      expect(res.result.isError).toBeFalsy();
    } finally {
      await demo.kill();
    }
    const count = readStore(
      named,
      (db) => db.prepare("SELECT count(*) AS n FROM runs").get() as { n: number },
    );
    expect(count.n).toBe(1);
    rmSync(dir, { recursive: true, force: true });
  });
});
