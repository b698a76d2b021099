import { z } from "zod";
import { renderSolution, solutionOutputShape } from "../src/format/solution.ts";
import { proposeSolution } from "../src/stages/solution/index.ts";
import { defineTool } from "../src/tool.ts";

export const proposeSolutionTool = defineTool({
  name: "propose_solution",
  title: "Propose a fix plan",
  description: `Turn a run's root cause into an ordered, editable fix plan: what to change and where (steps with files), the regression test that would have caught it (with the file and command), and what not to do. Deterministic and grounded in the run's evidence and the repository; stored with the run.
Use it after analyze_root_cause (and add_feedback, if you verified or corrected the cause). Not for implementing the fix (hand_off builds the brief for that).
Example: {"run_id": "run_20261128_ab12cd34ef"} or {"run_id": "…", "instructions": "also add a unit test for the empty-rules case"}`,
  inputSchema: {
    run_id: z.string().min(1).max(80).describe("From analyze_root_cause"),
    instructions: z.string().max(4000).optional().describe("Extra guidance; becomes the last step"),
  },
  outputSchema: solutionOutputShape,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async handler(input, ctx) {
    const output = await proposeSolution(ctx, input.run_id, input.instructions);
    return { markdown: renderSolution(output, ctx.toolNames), structured: output };
  },
});
