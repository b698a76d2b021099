import { z } from "zod";

export const issueListOutputShape = {
  query: z.string(),
  sort: z.string(),
  total: z.number().nullable().describe("Matching issues, when Sentry reports the count"),
  next_cursor: z.string().nullable().describe("Pass as cursor for the next page"),
  issues: z.array(
    z.object({
      id: z.string(),
      short_id: z.string().nullable(),
      title: z.string(),
      culprit: z.string().nullable(),
      project: z.string(),
      level: z.string(),
      status: z.string(),
      count: z.number().nullable(),
      user_count: z.number().nullable(),
      first_seen: z.string().nullable(),
      last_seen: z.string().nullable(),
      fixability_score: z.number().nullable(),
      permalink: z.string().nullable(),
    }),
  ),
};

export type IssueListStructured = z.infer<z.ZodObject<typeof issueListOutputShape>>;
