import { z } from "zod";
import { rootCauseOutline, rootCauseOutputShape } from "../src/contract/root-cause.ts";
import { inputError } from "../src/errors.ts";
import { renderRootCause } from "../src/format/root-cause.ts";
import { addRootCauseFeedback } from "../src/stages/root-cause/index.ts";
import { defineTool } from "../src/tool.ts";
import { runIdInput } from "../src/tool-inputs.ts";

export const addFeedback = defineTool({
  name: "add_feedback",
  title: "Add feedback to a root-cause run",
  description:
    "Tell a run what you verified in the code: free text, confirm or reject a candidate, pin a location, or the root cause in your words. Re-ranks into a new revision; plans built on the old one become stale.",
  summary:
    "Tell a run what you verified: free text, confirm/reject a candidate, pin a location, or the root cause in your words. Produces the next revision; later stages are marked stale.",
  example: { run_id: "run_20261128_ab12cd34ef", confirm: 1 },
  inputSchema: {
    run_id: runIdInput,
    message: z.string().max(4000).optional().describe("Free text; candidates it names are boosted"),
    confirm: z
      .union([z.number().int().min(1), z.string().max(500)])
      .optional()
      .describe("Candidate to confirm: 1-based rank or path"),
    reject: z
      .union([z.number().int().min(1), z.string().max(500)])
      .optional()
      .describe("Candidate to reject: 1-based rank or path"),
    path: z.string().max(500).optional().describe("Repo-relative location to pin first"),
    line: z.number().int().min(1).optional(),
    function: z.string().max(200).optional(),
    repo: z.string().max(200).optional(),
    root_cause: z.string().max(4000).optional().describe("The root cause you verified"),
  },
  outputSchema: rootCauseOutputShape,
  outline: rootCauseOutline,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async handler(input, ctx) {
    const { run_id, ...feedback } = input;
    if (Object.values(feedback).every((v) => v === undefined || v === "")) {
      throw inputError("the feedback is empty.", "Pass message, confirm, reject, path or root_cause.");
    }
    const { output, stale } = addRootCauseFeedback(ctx, run_id, feedback);
    return { markdown: renderRootCause(output, ctx.toolNames, stale), structured: output };
  },
});
