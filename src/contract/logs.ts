import { z } from "zod";

export const logsOutputShape = {
  query: z.string().describe("The Sentry search query that was run"),
  window: z.object({
    start: z.string().nullable(),
    end: z.string().nullable(),
    period: z.string().nullable(),
  }),
  totals: z.object({
    fetched: z.number().describe("Rows read from Sentry"),
    by_severity: z
      .record(z.string(), z.number())
      .nullable()
      .describe("All matching rows per severity, when Sentry could count them"),
    more_available: z.boolean(),
  }),
  lines: z.array(
    z.object({
      timestamp: z.string().nullable(),
      last_timestamp: z.string().nullable(),
      severity: z.string(),
      project: z.string().nullable(),
      message: z.string(),
      count: z.number().describe("Identical lines collapsed into this one"),
    }),
  ),
  elided_groups: z
    .number()
    .describe("Distinct lines left out to stay within the limit (errors and warnings are kept first)"),
};

export type LogsStructured = z.infer<z.ZodObject<typeof logsOutputShape>>;
