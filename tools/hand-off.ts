import { z } from "zod";
import { handoffOutline, handoffOutputShape } from "../src/contract/handoff.ts";
import { renderHandoff } from "../src/format/handoff.ts";
import { handOff } from "../src/stages/handoff.ts";
import { defineTool } from "../src/tool.ts";
import { runIdInput } from "../src/tool-inputs.ts";

export const handOffTool = defineTool({
  name: "hand_off",
  title: "Hand the fix to a coding agent",
  description:
    'The coding brief for a run: root cause with evidence, the plan, the repository rules for the planned files, tests, and PR conventions (branch, draft PR, "Fixes <SHORT-ID>"). Use it after propose_solution, then implement the fix: this server never edits code.',
  summary:
    "The coding brief (under 20,000 characters): issue link and counts, root cause with evidence, plan, the repository rules that apply to the planned files, acceptance criteria, tests, PR conventions (branch, draft PR, title, body with `Fixes <SHORT-ID>`). Target `chat` returns it to the agent in the conversation.",
  example: { run_id: "run_20261128_ab12cd34ef" },
  inputSchema: {
    run_id: runIdInput,
    target: z.string().max(100).optional().describe('"chat" (default) or a configured agent target'),
    instructions: z.string().max(4000).optional().describe("For the implementing agent"),
  },
  outputSchema: handoffOutputShape,
  outline: handoffOutline,
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
