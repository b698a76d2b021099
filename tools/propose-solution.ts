import { z } from "zod";
import { solutionOutline, solutionOutputShape } from "../src/contract/solution.ts";
import { renderSolution } from "../src/format/solution.ts";
import { proposeSolution } from "../src/stages/solution/index.ts";
import { defineTool } from "../src/tool.ts";
import { runIdInput } from "../src/tool-inputs.ts";

export const proposeSolutionTool = defineTool({
  name: "propose_solution",
  title: "Propose a fix plan",
  description:
    "Turn a run's root cause into an ordered fix plan: steps with files, the regression test (file and command), and what not to do. Use it after analyze_root_cause and any add_feedback.",
  summary:
    "Turns the root cause into an ordered plan — steps with files, the regression test (file and command, read off the repository) and what not to do — by failure pattern: missing value, bad input from another service, timeout, N+1, library, logic. Stored; stale when feedback changes the root cause.",
  example: { run_id: "run_20261128_ab12cd34ef" },
  inputSchema: {
    run_id: runIdInput,
    instructions: z.string().max(4000).optional().describe("Extra guidance; becomes the last step"),
  },
  outputSchema: solutionOutputShape,
  outline: solutionOutline,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  analysis: true,
  async handler(input, ctx) {
    const output = await proposeSolution(ctx, input.run_id, input.instructions);
    return { markdown: renderSolution(output, ctx.toolNames), structured: output };
  },
});
