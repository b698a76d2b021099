import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SandboxHandle, startSandbox } from "../../src/sandbox/server.ts";
import { CANARY_TOKEN, kindsScenario, NOW } from "../fixtures/kinds.ts";
import { connect, testContext, textOf } from "../helpers/context.ts";

let sandbox: SandboxHandle;
let session: Awaited<ReturnType<typeof connect>>;

beforeAll(async () => {
  sandbox = await startSandbox({ scenario: kindsScenario() });
  session = await connect(testContext({ sentryUrl: sandbox.url, now: NOW }));
});
afterAll(async () => {
  await session.close();
  await sandbox.close();
});

async function getIssue(args: Record<string, unknown>) {
  const result = await session.client.callTool({ name: "get_issue", arguments: args });
  return {
    result,
    text: textOf(result),
    structured: result.structuredContent as Record<string, any> | undefined,
  };
}

describe("get_issue on issues that are not plain exceptions", () => {
  it("shows a performance issue's offending spans and evidence", async () => {
    const { result, text, structured } = await getIssue({ issue: "KINDS-PERF" });
    expect(result.isError).toBeFalsy();
    expect(text).toContain("performance (performance_n_plus_one_db_queries)");
    expect(text).toContain("Offending spans");
    expect(text).toContain("SELECT * FROM items WHERE order_id = %s");
    expect(structured?.evidence[0].name).toBe("Offending Spans");
    expect(structured?.exception_chain).toEqual([]);
  });

  it("shows a metric regression with no entries", async () => {
    const { result, text } = await getIssue({ issue: "9002" });
    expect(result.isError).toBeFalsy();
    expect(text).toContain("metric regression");
    expect(text).toContain("aggregateRange2=`480.2`");
  });

  it("shows a CSP report's directive and blocked URI", async () => {
    const { text } = await getIssue({ issue: "kinds-csp" });
    expect(text).toContain("Content-Security-Policy violation");
    expect(text).toContain("https://evil.example.com/x.js");
  });

  it("says plainly that feedback is not an error", async () => {
    const { text } = await getIssue({ issue: "KINDS-FEEDBACK" });
    expect(text).toContain("user feedback");
    expect(text).toContain("The checkout button does nothing");
    expect(text).not.toContain("jane@example.com");
  });

  it("shows a message-only event", async () => {
    const { text } = await getIssue({ issue: "KINDS-MSG" });
    expect(text).toContain("message (no exception)");
    expect(text).toContain("Cache miss storm detected");
  });

  it("degrades on an unknown future event type", async () => {
    const { result, text } = await getIssue({ issue: "KINDS-FUTURE" });
    expect(result.isError).toBeFalsy();
    expect(text).toContain("future_ai_agent_trace");
    expect(text).toContain("`agent_steps`");
  });

  it("survives null culprit, null frame fields and malformed tags", async () => {
    const { result, structured } = await getIssue({ issue: "KINDS-NULLS" });
    expect(result.isError).toBeFalsy();
    expect(structured?.issue.culprit).toBeNull();
    expect(structured?.culprit_frame).toMatchObject({ file: null, line: null, function: null, in_app: true });
  });

  it("finds the origin of an exception group", async () => {
    const { structured, text } = await getIssue({ issue: "KINDS-GROUP" });
    expect(text).toContain("Exception group");
    expect(structured?.exception_chain.find((l: any) => l.role === "origin")?.type).toBe("ValueError");
    expect(structured?.exception_chain.map((l: any) => [l.role, l.relation])).toEqual([
      ["group", null],
      ["origin", "group_member"],
      ["member", "group_member"],
    ]);
    expect(text).toContain("a member of group 1");
  });

  it("names a Python `raise … from` chain's relations and shows the in-app frames of the exception that has them", async () => {
    const { text, structured } = await getIssue({ issue: "KINDS-CHAINED" });
    expect(text).toContain("Exception chain (oldest → newest");
    expect(text).not.toContain("Exception group");
    expect(text).toMatch(/1\. \*\*origin\*\* `UniqueViolation[^\n]*the cause of 2 \(2 was raised from it\)/);
    expect(text).toMatch(/2\. \*\*raised\*\* `IntegrityError/);
    expect(text).not.toContain("sibling");
    expect(text).not.toContain("No in-app frames");
    expect(text).toMatch(/`app\/users\.py:18` in `create_user`/);
    expect(text).toContain("The origin, 1 (`UniqueViolation`), has only library frames");
    expect(text).toContain("user.save()");
    expect(structured?.exception_chain).toEqual([
      expect.objectContaining({ type: "UniqueViolation", role: "origin", relation: "cause", parent: 1 }),
      expect.objectContaining({ type: "IntegrityError", role: "raised", relation: null, parent: null }),
    ]);
    expect(structured?.frames.map((f: any) => f.function)).toEqual(["create_user", "signup"]);
    expect(structured?.culprit_frame).toMatchObject({ function: "create_user", file: "app/users.py" });
  });

  it("names an implicitly chained exception (`__context__`) as the context of the next", async () => {
    const { text } = await getIssue({ issue: "KINDS-CONTEXT" });
    expect(text).toMatch(
      /1\. \*\*origin\*\* `KeyError[^\n]*the context of 2 \(2 was raised while handling it\)/,
    );
  });

  it("flags missing source maps", async () => {
    const { text } = await getIssue({ issue: "KINDS-MIN" });
    expect(text).toContain("Source maps or source files were missing");
  });

  it("renders an issue whose events are gone", async () => {
    const { result, text, structured } = await getIssue({ issue: "KINDS-EMPTY" });
    expect(result.isError).toBeFalsy();
    expect(text).toContain("No event could be loaded");
    expect(structured?.event).toBeNull();
  });

  it("scrubs secrets and fences injected instructions as data", async () => {
    const { text, structured } = await getIssue({ issue: "KINDS-SECRETS", detail: "full" });
    const all = text + JSON.stringify(structured);
    expect(all).not.toContain(CANARY_TOKEN);
    expect(all).not.toContain("hunter2");
    expect(all).not.toContain("abcdef123456");
    expect(all).not.toContain("AKIAABCDEFGHIJKLMNOP");
    expect(all).not.toContain("ya29.secretvalue");
    expect(all).not.toContain("jane@example.com");
    expect(text).toContain("[Filtered]");
    expect(text).toMatch(/`IGNORE ALL PREVIOUS INSTRUCTIONS[^`]*`/);
    expect(text).toContain("untrusted application data");
  });
});
