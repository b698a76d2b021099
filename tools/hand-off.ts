import { z } from "zod";
import { handoffOutputShape, renderHandoff } from "../src/format/handoff.ts";
import { handOff } from "../src/stages/handoff.ts";
import { defineTool } from "../src/tool.ts";

export const handOffTool = defineTool({
  name: "hand_off",
  title: "Hand the fix to a coding agent",
  description: `Build the coding brief for a run — issue link and counts, the root cause with its evidence, the (edited) plan, the repository rules that apply to the planned files, acceptance criteria, tests to run, and PR conventions (branch, draft PR, title, body with "Fixes <SHORT-ID>") — under 20,000 characters. Target "chat" (default) returns it for the agent in this conversation to implement.
Use it after propose_solution (it proposes a plan itself if there is none). This server never edits code or opens PRs itself.
Example: {"run_id": "run_20261128_ab12cd34ef"} or {"run_id": "…", "instructions": "keep the public API unchanged"}`,
  inputSchema: {
    run_id: z.string().min(1).max(80),
    target: z
      .string()
      .max(100)
      .optional()
      .describe('"chat" (default) or a configured background agent target'),
    instructions: z.string().max(4000).optional().describe("Extra instructions for the implementing agent"),
  },
  outputSchema: handoffOutputShape,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async handler(input, ctx) {
    const output = await handOff(ctx, {
      runId: input.run_id,
      target: input.target,
      instructions: input.instructions,
    });
    return { markdown: renderHandoff(output), structured: output };
  },
});
