import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO, demoScenario } from "../../src/sandbox/demo/index.ts";
import { type SandboxHandle, startSandbox } from "../../src/sandbox/server.ts";
import { connect, testContext, textOf } from "../helpers/context.ts";

const NOW = Date.parse("2026-11-28T12:00:00Z");
let sandbox: SandboxHandle;
let session: Awaited<ReturnType<typeof connect>>;

beforeAll(async () => {
  sandbox = await startSandbox({ scenario: demoScenario(NOW) });
  session = await connect(testContext({ sentryUrl: sandbox.url, now: NOW }));
});
afterAll(async () => {
  await session.close();
  await sandbox.close();
});

const call = async (args: Record<string, unknown>) => {
  const result = await session.client.callTool({ name: "get_issue", arguments: args });
  return { result, text: textOf(result), structured: result.structuredContent as any };
};

describe("get_issue on the demo incident", () => {
  it("shows the originating exception, the in-app culprit frame with its code, and the trace", async () => {
    const { result, text, structured } = await call({ issue: DEMO.ordersIssueShortId });
    expect(result.isError).toBeFalsy();
    expect(text).toContain("TypeError: Cannot read properties of undefined (reading 'percent')");
    expect(text).toMatch(/`src\/pricing\/discounts\.ts:\d+(:\d+)?` in `applyCoupon`.*throw site/);
    expect(text).toContain("rule.percent / 100");
    expect(text).toContain(DEMO.traceA);
    expect(text).toContain("coupon rule not found for SPRING-24");
    expect(structured.culprit_frame).toMatchObject({ function: "applyCoupon", in_app: true });
    expect(structured.culprit_frame.context).toContain("rule.percent");
    expect(structured.event).toMatchObject({
      id: DEMO.ordersEvent,
      trace_id: DEMO.traceA,
      release: "orders-api@2.14.0",
    });
    expect(structured.tags.map((t: { key: string }) => t.key)).toContain("environment");
  });

  it("keeps the brief view inside the budget and the full view bounded", async () => {
    for (const issue of [
      DEMO.ordersIssueShortId,
      DEMO.storefrontIssueShortId,
      DEMO.paymentsIssueShortId,
      DEMO.perfIssueShortId,
    ]) {
      const brief = await call({ issue });
      const full = await call({ issue, detail: "full" });
      expect(brief.text.length, issue).toBeLessThan(16_000);
      expect(full.text.length, issue).toBeLessThan(60_000);
    }
    const full = await call({ issue: DEMO.ordersIssueShortId, detail: "full" });
    expect(full.text).toContain("node_modules/express");
    expect(full.text).toContain("**Headers**:");
  });

  it("reads a chained Python exception origin first", async () => {
    const { structured, text } = await call({ issue: DEMO.paymentsIssueShortId });
    expect(structured.exception_chain.map((l: { type: string; role: string }) => [l.type, l.role])).toEqual([
      ["KeyError", "origin"],
      ["ChargeError", "raised"],
    ]);
    expect(text).toContain("Exception chain (oldest → newest");
  });

  it("accepts Sentry URLs and event selectors", async () => {
    const byUrl = await call({
      issue: `${sandbox.url}/organizations/acme/issues/${DEMO.ordersIssueId}/events/${DEMO.ordersEventOld}/`,
    });
    expect(byUrl.result.isError).toBeFalsy();
    expect(byUrl.structured.event.id).toBe(DEMO.ordersEventOld);
    const oldest = await call({ issue: DEMO.ordersIssueId, event: "oldest" });
    expect(oldest.structured.event.id).toBe(DEMO.ordersEventOld);
    const latest = await call({ issue: DEMO.ordersIssueShortId, event: "latest" });
    expect(latest.structured.event.id).toBe(DEMO.ordersEvent);
  });

  it("explains bad input and unknown issues instead of failing obscurely", async () => {
    const badEvent = await call({ issue: DEMO.ordersIssueShortId, event: "yesterday" });
    expect(badEvent.result.isError).toBe(true);
    expect(badEvent.text).toContain('"recommended", "latest", "oldest"');
    const missing = await call({ issue: "ORDERS-API-ZZZ" });
    expect(missing.result.isError).toBe(true);
    expect(missing.text).toContain("ORDERS-API-ZZZ was not found");
    const elsewhere = await call({ issue: "https://sentry.evil.example/organizations/acme/issues/5103/" });
    expect(elsewhere.result.isError).toBe(true);
    expect(sandbox.requests.some((r) => r.path.includes("evil"))).toBe(false);
  });

  it("loads the issue, its event and its tags in parallel", async () => {
    sandbox.clearRequests();
    sandbox.setLatency(60);
    const started = Date.now();
    await call({ issue: DEMO.storefrontIssueShortId });
    sandbox.setLatency(0);
    const paths = sandbox.requests.map((r) => r.path);
    expect(paths.filter((p) => p.includes("/issues/"))).toHaveLength(3);
    expect(Math.max(...sandbox.requests.map((r) => r.concurrent))).toBeGreaterThanOrEqual(2);
    expect(Date.now() - started).toBeLessThan(60 * 3);
  });
});
