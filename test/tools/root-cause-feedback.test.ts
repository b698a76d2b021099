import { describe, expect, it } from "vitest";
import { createContext } from "../../src/context.ts";
import { createLogger } from "../../src/log.ts";
import { connect, testConfig, textOf } from "../helpers/context.ts";
import { scenarioNamed, useScenarioSession } from "../helpers/session.ts";
import { CORPUS_NOW } from "../scenarios/types.ts";

const scenario = scenarioNamed("s11");
const use = useScenarioSession(scenario);

async function call(name: string, args: Record<string, unknown>) {
  const result = await use.session.client.callTool(
    { name, arguments: args },
    {
      onprogress: () => undefined,
    },
  );
  return { result, text: textOf(result), out: result.structuredContent as any };
}

describe("runs, feedback and restarts", () => {
  let runId: string;

  it("stores the run and reports progress while it works", async () => {
    const progress: string[] = [];
    const result = await use.session.client.callTool(
      { name: "analyze_root_cause", arguments: { issue: scenario.issue } },
      {
        onprogress: (p) => progress.push(p.message ?? ""),
      },
    );
    runId = (result.structuredContent as any).run_id;
    expect(runId).toMatch(/^run_\d{8}_[0-9a-f]{10}$/);
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress.at(-1)).toContain("root cause ready");
  });

  it("rejects a candidate and re-ranks", async () => {
    const { out } = await call("add_feedback", { run_id: runId, reject: 1 });
    expect(out.revision).toBe(2);
    expect(out.rejected[0].path).toBe("app/tax/rates.py");
    expect(out.candidates[0].path).not.toBe("app/tax/rates.py");
    expect(out.summary).toContain("After feedback");
  });

  it("takes the verified root cause with a pinned location, citing the feedback as evidence", async () => {
    const { out, text } = await call("add_feedback", {
      run_id: runId,
      root_cause: "load_tax_rates drops the reduced rate when a country also has a super-reduced one",
      path: "app/tax/rates.py",
      line: 12,
      function: "load_tax_rates",
    });
    expect(out.revision).toBe(3);
    expect(out.candidates[0]).toMatchObject({
      path: "app/tax/rates.py",
      function: "load_tax_rates",
      score: 0.99,
    });
    expect(out.confidence.level).toBe("high");
    expect(out.causal_chain.at(-1).evidence).toEqual(["feedback:2"]);
    expect(text).toContain("verified in the code");
  });

  it("boosts candidates a free-text message names, and refuses empty or unknown feedback", async () => {
    const { out } = await call("add_feedback", { run_id: runId, message: "build_invoice itself looks fine" });
    expect(out.candidates.find((c: any) => c.function === "build_invoice").reasons[0]).toBe(
      "named in feedback 3",
    );
    const empty = await call("add_feedback", { run_id: runId });
    expect(empty.result.isError).toBe(true);
    expect(empty.text).toContain("empty");
    const missing = await call("add_feedback", { run_id: "run_nope", message: "x" });
    expect(missing.text).toContain("does not exist");
    const badRank = await call("add_feedback", { run_id: runId, confirm: 42 });
    expect(badRank.text).toContain("1-based rank");
  });

  it("shows the whole record in get_run and lists runs by issue", async () => {
    const { out, text } = await call("get_run", { run_id: runId });
    expect(out.run.stages.root_cause.revision).toBe(4);
    expect(out.run.feedback.map((f: any) => f.kind)).toEqual(["reject", "root_cause", "message"]);
    expect(out.run.evidence.some((e: any) => e.id === "feedback:2")).toBe(true);
    expect(text).toContain("## Evidence");
    const list = await call("get_run", { issue: scenario.issue });
    expect(list.out.runs[0].id).toBe(runId);
    const resource = await use.session.client.readResource({ uri: `autofix://runs/${runId}` });
    expect(JSON.parse((resource.contents[0] as { text: string }).text).id).toBe(runId);
  });

  it("returns the same record after a restart", async () => {
    const before = (await call("get_run", { run_id: runId })).out.run;
    const config = testConfig({ sentryUrl: use.prepared.sandbox.url, env: use.prepared.env });
    const fresh = createContext(config, createLogger("silent"));
    fresh.clock = { now: () => CORPUS_NOW };
    const other = await connect(fresh);
    const after = (await other.client.callTool({ name: "get_run", arguments: { run_id: runId } }))
      .structuredContent as any;
    expect(after.run).toEqual(before);
    await other.close();
    await fresh.close();
  });
});
