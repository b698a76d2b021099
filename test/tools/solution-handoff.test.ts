import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createContext } from "../../src/context.ts";
import { createLogger } from "../../src/log.ts";
import { connect, testConfig, textOf } from "../helpers/context.ts";
import { scenarioNamed, useScenarioSession } from "../helpers/session.ts";
import { corpus } from "../scenarios/index.ts";
import { type PreparedScenario, prepareScenario } from "../scenarios/setup.ts";
import { CORPUS_NOW } from "../scenarios/types.ts";

/** Every corpus scenario: the plan names the culprit file and a regression test; the brief fits and carries the PR line. */
describe.each(corpus.map((s) => [s.name, s] as const))("plan and brief for %s", (_name, scenario) => {
  const use = useScenarioSession(scenario);

  it("plans a fix at the culprit with a regression test, and hands off a brief under the limit", async () => {
    const rc = (
      await use.session.client.callTool({ name: "analyze_root_cause", arguments: { issue: scenario.issue } })
    ).structuredContent as any;
    const plan = (
      await use.session.client.callTool({ name: "propose_solution", arguments: { run_id: rc.run_id } })
    ).structuredContent as any;
    if (scenario.expected.verdict === "in_app") {
      expect(plan.steps.flatMap((s: any) => s.files)).toContain(scenario.expected.file);
      expect(plan.tests.length).toBeGreaterThan(0);
      expect(plan.tests[0].file).toBeTruthy();
      expect(plan.avoid.length).toBeGreaterThan(0);
    } else {
      expect(plan.pattern).toBe(scenario.expected.verdict === "third_party" ? "library" : "unlocated");
    }
    const handoff = await use.session.client.callTool({ name: "hand_off", arguments: { run_id: rc.run_id } });
    const out = handoff.structuredContent as any;
    expect(out.brief.length).toBeLessThan(20_000);
    expect(out.pr_body).toContain(`Fixes ${scenario.issue}`);
    expect(out.brief).toContain(`Fixes ${scenario.issue}`);
    expect(out.dispatch).toEqual({ target: "chat", status: "ready", url: null });
    expect(out.branch).toMatch(/^autofix\/[a-z0-9._/-]+$/);
    expect(textOf(handoff)).toContain("## Plan");
  });
});

describe("editing, staleness, rules, settings and targets", () => {
  const scenario = scenarioNamed("s11");
  let prepared: PreparedScenario;
  let session: Awaited<ReturnType<typeof connect>>;
  let runId: string;
  const call = async (name: string, args: Record<string, unknown>) => {
    const result = await session.client.callTool({ name, arguments: args });
    return { result, out: result.structuredContent as any, text: textOf(result) };
  };

  beforeAll(async () => {
    prepared = await prepareScenario(scenario);
    // Rules files for the planned Python files, committed on top of the scenario's history.
    const repo = prepared.built.repos.find((r) => r.name === "acme/invoicing")!.path;
    mkdirSync(join(repo, ".cursor", "rules"), { recursive: true });
    writeFileSync(
      join(repo, ".cursor", "rules", "money.mdc"),
      "---\ndescription: Money math\nglobs: app/**/*.py\nalwaysApply: false\n---\nUse Decimal for money; never float.\n",
    );
    writeFileSync(join(repo, "AGENTS.md"), "# Conventions\nRun `pytest -q` before committing.\n");
    const env = {
      ...process.env,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@e",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@e",
      GIT_CONFIG_NOSYSTEM: "1",
    };
    execFileSync("git", ["add", "-A"], { cwd: repo, env });
    execFileSync("git", ["-c", "commit.gpgsign=false", "commit", "-q", "-m", "rules"], { cwd: repo, env });
    session = await connect(prepared.context);
    runId = (await call("analyze_root_cause", { issue: scenario.issue })).out.run_id;
  });
  afterAll(async () => {
    await session.close();
    await prepared.close();
  });

  it("edits the plan: remove, add, move — each a stored revision", async () => {
    const first = (await call("propose_solution", { run_id: runId })).out;
    expect(first.steps.map((s: any) => s.id)).toEqual(["s1", "s2"]);
    const edited = (
      await call("edit_solution", {
        run_id: runId,
        remove: ["s2"],
        add: [
          { title: "Add unit tests", description: "Cover FR, ES and IT", files: ["tests/test_rates.py"] },
        ],
        move: { id: "s3", to: 1 },
      })
    ).out;
    expect(edited.revision).toBe(2);
    expect(edited.steps.map((s: any) => [s.id, s.title])).toEqual([
      ["s3", "Add unit tests"],
      ["s1", first.steps[0].title],
    ]);
    const run = (await call("get_run", { run_id: runId })).out.run;
    expect(run.stages.solution.revision).toBe(2);
    const bad = await call("edit_solution", { run_id: runId, remove: ["s9"] });
    expect(bad.text).toContain('step "s9" is not in the plan');
  });

  it("puts the rules that apply to the planned files into the brief", async () => {
    const { out } = await call("hand_off", { run_id: runId, instructions: "keep load_tax_rates' signature" });
    expect(out.rules.map((r: any) => r.file).sort()).toEqual([".cursor/rules/money.mdc", "AGENTS.md"]);
    expect(out.brief).toContain("Use Decimal for money");
    expect(out.brief).toContain("keep load_tax_rates' signature");
    expect(out.brief).toContain("Add unit tests");
    expect(out.base_branch).toBe("main");
  });

  it("marks the plan stale when feedback changes the root cause, and hand_off proposes a fresh one", async () => {
    const fb = await call("add_feedback", { run_id: runId, reject: 1 });
    expect(fb.text).toContain("**Stale**: solution, handoff");
    expect((await call("get_run", { run_id: runId })).out.run.stages.solution.status).toBe("stale");
    const { out } = await call("hand_off", { run_id: runId });
    expect(out.notes.join(" ")).toContain("stale");
    expect((await call("get_run", { run_id: runId })).out.run.stages.solution.status).toBe("completed");
  });

  it("refuses background targets that are not configured", async () => {
    const { result, text } = await call("hand_off", { run_id: runId, target: "cursor" });
    expect(result.isError).toBe(true);
    expect(text).toContain('"cursor" is not configured');
  });

  it("honours codeGeneration: false — the brief becomes a report", async () => {
    const config = JSON.parse(readFileSync(prepared.configPath, "utf8"));
    writeFileSync(prepared.configPath, JSON.stringify({ ...config, codeGeneration: false }));
    const context = createContext(
      testConfig({ sentryUrl: prepared.sandbox.url, env: prepared.env }),
      createLogger("silent"),
    );
    context.clock = { now: () => CORPUS_NOW };
    const other = await connect(context);
    const out = (await other.client.callTool({ name: "hand_off", arguments: { run_id: runId } }))
      .structuredContent as any;
    expect(out.dispatch.status).toBe("disabled");
    expect(out.brief).toMatch(/^# Report /);
    expect(out.brief).toContain("Do not change code");
    await other.close();
    await context.close();
  });
});

describe("prompts", () => {
  const scenario = scenarioNamed("s02");
  let prepared: PreparedScenario;
  let session: Awaited<ReturnType<typeof connect>>;
  beforeAll(async () => {
    prepared = await prepareScenario(scenario);
    session = await connect(prepared.context);
  });
  afterAll(async () => {
    await session.close();
    await prepared.close();
  });

  it("lists diagnose_issue and fix_issue, renders them with tool names, and completes issue IDs", async () => {
    const { prompts } = await session.client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(
      expect.arrayContaining(["diagnose_issue", "fix_issue", "apply_rules"]),
    );
    const diagnose = await session.client.getPrompt({
      name: "diagnose_issue",
      arguments: { issue: scenario.issue },
    });
    const text = (diagnose.messages[0]!.content as { text: string }).text;
    for (const tool of ["analyze_root_cause", "add_feedback", "propose_solution"])
      expect(text).toContain(tool);
    const fix = await session.client.getPrompt({ name: "fix_issue", arguments: { issue: scenario.issue } });
    expect((fix.messages[0]!.content as { text: string }).text).toContain("hand_off");
    const completion = await session.client.complete({
      ref: { type: "ref/prompt", name: "fix_issue" },
      argument: { name: "issue", value: scenario.issue.slice(0, 3) },
    });
    expect(completion.completion.values).toContain(scenario.issue);
  });
});
