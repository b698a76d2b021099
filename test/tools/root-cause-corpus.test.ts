import { describe, expect, it } from "vitest";
import { textOf } from "../helpers/context.ts";
import { useScenarioSession } from "../helpers/session.ts";
import { corpus } from "../scenarios/index.ts";

/** Every corpus incident through a real MCP client: the expected culprit at rank 1, or the expected verdict. */
describe.each(corpus.map((s) => [s.name, s] as const))("analyze_root_cause on %s", (_name, scenario) => {
  const use = useScenarioSession(scenario);

  it("finds the expected culprit or verdict, with a fully grounded causal chain", async () => {
    const result = await use.session.client.callTool({
      name: "analyze_root_cause",
      arguments: { issue: scenario.issue },
    });
    expect(result.isError, textOf(result)).toBeFalsy();
    const out = result.structuredContent as any;
    expect(out.verdict).toBe(scenario.expected.verdict);
    if (scenario.expected.verdict === "in_app") {
      expect(out.candidates[0]).toMatchObject({
        repo: scenario.expected.repo,
        path: scenario.expected.file,
        function: scenario.expected.function,
      });
    }
    if (scenario.expected.verdict === "third_party") expect(out.candidates).toEqual([]);
    if (scenario.expected.introducedBy) {
      const built = use.prepared.built.repos.find((r) => r.name === scenario.expected.introducedBy!.repo)!;
      expect(out.suspect_commits[0].sha).toBe(built.shas[scenario.expected.introducedBy.commit]);
    }

    const run = await use.session.client.callTool({ name: "get_run", arguments: { run_id: out.run_id } });
    const evidenceIds = new Set(
      ((run.structuredContent as any).run.evidence as Array<{ id: string }>).map((e) => e.id),
    );
    const cited = [
      ...out.causal_chain.flatMap((s: any) => s.evidence),
      ...out.candidates.flatMap((c: any) => c.evidence),
    ];
    expect(out.causal_chain.length).toBeGreaterThan(0);
    for (const step of out.causal_chain) expect(step.evidence.length, step.description).toBeGreaterThan(0);
    for (const id of cited) expect(evidenceIds.has(id), `evidence ${id} is not in the run`).toBe(true);
    expect(textOf(result)).toContain(out.run_id);
  });
});
