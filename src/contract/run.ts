import { z } from "zod";

const summaryShape = z.object({
  id: z.string(),
  issue: z.object({
    id: z.string(),
    short_id: z.string().nullable(),
    title: z.string(),
    project: z.string().nullable(),
  }),
  status: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  stages: z.array(z.string()),
});

export const runOutputShape = {
  run: z
    .object({
      id: z.string(),
      org: z.string(),
      issue: z.object({
        id: z.string(),
        short_id: z.string().nullable(),
        title: z.string(),
        project: z.string().nullable(),
      }),
      status: z
        .string()
        .describe("running, completed, failed, or interrupted (its process stopped mid-analysis)"),
      error: z.string().nullable(),
      created_at: z.string(),
      updated_at: z.string(),
      stages: z.record(
        z.string(),
        z.object({ revision: z.number(), status: z.string(), created_at: z.string(), output: z.unknown() }),
      ),
      feedback: z.array(
        z.object({ seq: z.number(), kind: z.string(), payload: z.unknown(), created_at: z.string() }),
      ),
      evidence: z.array(
        z.object({ id: z.string(), kind: z.string(), summary: z.string(), data: z.unknown() }),
      ),
      dispatches: z
        .array(
          z.object({
            target: z.string(),
            repository: z.string().nullable(),
            status: z.string(),
            url: z.string().nullable(),
            pr_url: z.string().nullable(),
            summary: z.string().nullable(),
            updated_at: z.string(),
          }),
        )
        .describe("Background coding agents this run was handed to, with their state and pull request"),
    })
    .nullable()
    .describe("The run asked for, in full"),
  runs: z.array(summaryShape).describe("Recent runs, when no run_id was given"),
  jobs: z
    .array(
      z.object({
        id: z.string(),
        issue_id: z.string(),
        short_id: z.string().nullable(),
        state: z.string(),
        step: z.string(),
        run_id: z.string().nullable(),
        reason: z.string().nullable(),
        last_error: z.string().nullable(),
        updated_at: z.string(),
      }),
    )
    .describe(
      "Background jobs started by Sentry webhooks (with why one was skipped), when no run_id was given",
    ),
};

export type RunStructured = z.infer<z.ZodObject<typeof runOutputShape>>;
