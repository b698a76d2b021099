import { z } from "zod";
import { inputError } from "../src/errors.ts";
import { renderRootCause, rootCauseOutputShape } from "../src/format/root-cause.ts";
import { addRootCauseFeedback } from "../src/stages/root-cause/index.ts";
import { defineTool } from "../src/tool.ts";

export const addFeedback = defineTool({
  name: "add_feedback",
  title: "Add feedback to a root-cause run",
  description: `Tell a run what you found: free text, confirm or reject a candidate (1-based rank or path), pin a location (path with optional line/function), or state the root cause you verified in the code. The root cause is re-ranked or replaced accordingly (a new revision) and any solution built on the old one is marked stale.
Use it after checking analyze_root_cause's candidates against the code. Not for starting an analysis.
Example: {"run_id": "run_20261128_ab12cd34ef", "confirm": 1} or {"run_id": "…", "root_cause": "load_tax_rates drops 'reduced' when a country has a super-reduced rate", "path": "app/tax/rates.py", "line": 12}`,
  inputSchema: {
    run_id: z.string().min(1).max(80).describe("From analyze_root_cause"),
    message: z.string().max(4000).optional().describe("Free-text context; candidates it names are boosted"),
    confirm: z
      .union([z.number().int().min(1), z.string().max(500)])
      .optional()
      .describe("Candidate to confirm: 1-based rank or path"),
    reject: z
      .union([z.number().int().min(1), z.string().max(500)])
      .optional()
      .describe("Candidate to reject: 1-based rank or path"),
    path: z.string().max(500).optional().describe("A repo-relative location to pin first"),
    line: z.number().int().min(1).optional(),
    function: z.string().max(200).optional(),
    repo: z.string().max(200).optional(),
    root_cause: z.string().max(4000).optional().describe("The root cause you verified, in your words"),
  },
  outputSchema: rootCauseOutputShape,
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
