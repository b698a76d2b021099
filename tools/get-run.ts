import { z } from "zod";
import { inputError } from "../src/errors.ts";
import {
  jobStructured,
  renderRun,
  renderRunList,
  runOutputShape,
  runStructured,
  summaryStructured,
} from "../src/format/run.ts";
import { defineTool } from "../src/tool.ts";

export const getRun = defineTool({
  name: "get_run",
  title: "Get a stored run",
  description: `Show a run's full state: each stage's latest output and revision (root cause, solution, handoff), the feedback given, and every piece of evidence the causal chain cites, by ID. Without run_id, lists recent runs (optionally for one issue). Runs survive restarts.
Use it to look up evidence IDs, resume earlier work, or check a handoff's status. Not for starting work (analyze_root_cause).
Example: {"run_id": "run_20261128_ab12cd34ef"} or {"issue": "ORDERS-API-7A"}`,
  inputSchema: {
    run_id: z.string().max(80).optional().describe("From analyze_root_cause"),
    issue: z.string().max(200).optional().describe("List runs of this issue (short or numeric ID)"),
    limit: z.number().int().min(1).max(100).optional().describe("How many runs to list (default 20)"),
  },
  outputSchema: runOutputShape,
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  async handler(input, ctx) {
    const store = ctx.store();
    if (input.run_id) {
      const run = store.getRun(input.run_id.trim());
      if (!run)
        throw inputError(
          `run ${input.run_id} does not exist.`,
          "get_run without arguments lists recent runs.",
        );
      const dispatches = ctx.queue().dispatchesOf(run.id);
      return {
        markdown: renderRun(run, dispatches),
        structured: { run: runStructured(run, dispatches), runs: [], jobs: [] },
      };
    }
    const runs = store.listRuns({ issueId: input.issue, limit: input.limit });
    const jobs = ctx.queue().list({ issueId: input.issue, limit: input.limit });
    return {
      markdown: renderRunList(runs, jobs),
      structured: { run: null, runs: runs.map(summaryStructured), jobs: jobs.map(jobStructured) },
    };
  },
});
