import { z } from "zod";
import { solutionOutline, solutionOutputShape } from "../src/contract/solution.ts";
import { inputError } from "../src/errors.ts";
import { renderSolution } from "../src/format/solution.ts";
import { editSolution } from "../src/stages/solution/index.ts";
import { defineTool } from "../src/tool.ts";
import { runIdInput } from "../src/tool-inputs.ts";

export const editSolutionTool = defineTool({
  name: "edit_solution",
  title: "Edit a fix plan",
  description:
    "Remove, add or move fix-plan steps; each edit is a new revision, and the edited plan is what hand_off sends. Use it when the plan from propose_solution needs changing.",
  summary:
    "Remove, add or move plan steps; each edit is a revision, and the edited plan is what `hand_off` sends.",
  example: { run_id: "run_20261128_ab12cd34ef", remove: ["s2"] },
  inputSchema: {
    run_id: runIdInput,
    remove: z.array(z.string().max(20)).max(50).optional().describe('Step IDs to remove, e.g. ["s2"]'),
    add: z
      .array(
        z.object({
          title: z.string().min(1).max(200),
          description: z.string().max(4000),
          files: z.array(z.string().max(500)).max(50).optional(),
          repo: z.string().max(200).optional().describe("A connected repository; default: the plan's"),
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
  outline: solutionOutline,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async handler(input, ctx) {
    if (!input.remove?.length && !input.add?.length && !input.move)
      throw inputError("the edit is empty.", "Pass remove, add or move.");
    const output = editSolution(ctx, input.run_id, input);
    return { markdown: renderSolution(output, ctx.toolNames), structured: output };
  },
});
