import { z } from "zod";
import { inputError } from "../src/errors.ts";
import { renderSolution, solutionOutputShape } from "../src/format/solution.ts";
import { editSolution } from "../src/stages/solution/index.ts";
import { defineTool } from "../src/tool.ts";

export const editSolutionTool = defineTool({
  name: "edit_solution",
  title: "Edit a fix plan",
  description: `Remove steps you or the user disagree with, add your own (e.g. "add unit tests"), or move a step. Each edit is a new revision; the edited plan is what hand_off sends.
Use it after propose_solution, when the plan needs changing. Not for changing the root cause (add_feedback).
Example: {"run_id": "run_20261128_ab12cd34ef", "remove": ["s2"], "add": [{"title": "Add unit tests", "description": "Cover a coupon code missing from the rules table", "files": ["src/pricing/discounts.test.ts"]}], "move": {"id": "s3", "to": 1}}`,
  inputSchema: {
    run_id: z.string().min(1).max(80),
    remove: z.array(z.string().max(20)).max(50).optional().describe('Step IDs to remove, e.g. ["s2"]'),
    add: z
      .array(
        z.object({
          title: z.string().min(1).max(200),
          description: z.string().max(4000),
          files: z.array(z.string().max(500)).max(50).optional(),
        }),
      )
      .max(20)
      .optional()
      .describe("Steps to append"),
    move: z
      .object({ id: z.string().max(20), to: z.number().int().min(1) })
      .optional()
      .describe("Move a step to a 1-based position"),
  },
  outputSchema: solutionOutputShape,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async handler(input, ctx) {
    if (!input.remove?.length && !input.add?.length && !input.move)
      throw inputError("the edit is empty.", "Pass remove, add or move.");
    const output = editSolution(ctx, input.run_id, input);
    return { markdown: renderSolution(output, ctx.toolNames), structured: output };
  },
});
