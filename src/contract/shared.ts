import { z } from "zod";

/** How much Sentry recorded in a trace, as get_issue and get_trace both report it. */
export const traceCounts = z
  .object({
    errors: z.number().nullable(),
    performance_issues: z.number().nullable(),
    spans: z.number().nullable(),
    logs: z.number().nullable(),
  })
  .nullable();
