import { z } from "zod";
import { rootCauseOutline, rootCauseOutputShape } from "../src/contract/root-cause.ts";
import { renderRootCause } from "../src/format/root-cause.ts";
import { runRootCause } from "../src/stages/root-cause/index.ts";
import { defineTool } from "../src/tool.ts";
import { eventInput, issueInput, organizationInput } from "../src/tool-inputs.ts";
import { RUN_VIEW_URI } from "../src/ui/run-view.ts";

export const analyzeRootCause = defineTool({
  name: "analyze_root_cause",
  title: "Find the root cause of a Sentry issue",
  description:
    "Find why a Sentry issue happens: ranks culprit locations from the event, trace, logs, commits, profile and the connected repositories, builds a causal chain citing evidence, and stores a run. Check the top candidate in the code, then report with add_feedback.",
  summary:
    "The root-cause stage: gathers the event, the trace across services, its logs, release and suspect commits, the profile and the code (with history) of the connected repositories in parallel, ranks culprit locations (repo-relative paths) and builds a causal chain whose every step cites stored evidence. Verdict `in_app`, `third_party` (library-only stack; no culprit invented) or `unknown` (no repository connected). Stores a run.",
  example: { issue: "ORDERS-API-7A" },
  inputSchema: {
    issue: issueInput,
    event: eventInput,
    context: z
      .string()
      .max(4000)
      .optional()
      .describe("What you already know; stored with the run and used to rank"),
    organization: organizationInput,
  },
  outputSchema: rootCauseOutputShape,
  outline: rootCauseOutline,
  ui: RUN_VIEW_URI,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  analysis: true,
  async handler(input, ctx) {
    const { output } = await runRootCause(ctx, input);
    return { markdown: renderRootCause(output, ctx.toolNames), structured: output };
  },
});
