import { z } from "zod";
import { renderRootCause, rootCauseOutputShape } from "../src/format/root-cause.ts";
import { runRootCause } from "../src/stages/root-cause/index.ts";
import { defineTool } from "../src/tool.ts";

export const analyzeRootCause = defineTool({
  name: "analyze_root_cause",
  title: "Find the root cause of a Sentry issue",
  description: `Run the root-cause stage for a Sentry issue: gathers the event, trace (across services), logs, release and suspect commits, profile and the code of the connected repositories in parallel, then ranks culprit locations and builds a causal chain in which every step cites evidence. Stores the run and returns its run_id, the ranked candidates (repo-relative paths), suspect commits, confidence and a verdict (in_app, third_party, unknown).
Use it when the user wants to know why an issue happens or to fix it. Verify the top candidate in the code, then report back with add_feedback. Not for browsing (get_issue is cheaper).
Example: {"issue": "ORDERS-API-7A"} or {"issue": "PAYMENTS-1C", "context": "started after the VAT change"}`,
  inputSchema: {
    issue: z.string().min(1).max(2000).describe("Short ID, numeric ID or Sentry URL"),
    event: z
      .string()
      .max(64)
      .optional()
      .describe('"recommended" (default), "latest", "oldest" or an event ID'),
    context: z
      .string()
      .max(4000)
      .optional()
      .describe("What you or the user already know; stored with the run and used to rank"),
    organization: z
      .string()
      .max(100)
      .optional()
      .describe("Organization slug, when the server has no default"),
  },
  outputSchema: rootCauseOutputShape,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async handler(input, ctx) {
    const { output } = await runRootCause(ctx, input);
    return { markdown: renderRootCause(output, ctx.toolNames), structured: output };
  },
});
