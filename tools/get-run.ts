import { z } from "zod";
import { runOutputShape } from "../src/contract/run.ts";
import { inputError } from "../src/errors.ts";
import {
  jobStructured,
  renderRun,
  renderRunList,
  runStructured,
  summaryStructured,
} from "../src/format/run.ts";
import { defineTool } from "../src/tool.ts";
import { RUN_VIEW_URI } from "../src/ui/run-view.ts";

export const getRun = defineTool({
  name: "get_run",
  title: "Get a stored run",
  description:
    "A run's full state (stages, feedback, evidence by ID, handoffs), or without run_id the recent runs and background jobs. Use it to look up evidence IDs, resume work, or check a handoff.",
  summary:
    "A run's full state (stages by revision, feedback, every evidence item by ID), or the recent runs. Runs live in SQLite and survive restarts; also served as `autofix://runs/{id}` resources.",
  example: { run_id: "run_20261128_ab12cd34ef" },
  inputSchema: {
    run_id: z.string().max(80).optional().describe("From analyze_root_cause"),
    issue: z.string().max(200).optional().describe("List this issue's runs"),
    limit: z.number().int().min(1).max(100).optional().describe("Runs to list (default 20)"),
  },
  outputSchema: runOutputShape,
  ui: RUN_VIEW_URI,
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
