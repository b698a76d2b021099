import { z } from "zod";
import { issueListOutputShape, renderIssueList } from "../src/format/issue-list.ts";
import { projectId } from "../src/sentry/projects.ts";
import { defineTool } from "../src/tool.ts";

export const searchIssues = defineTool({
  name: "search_issues",
  title: "Search Sentry issues",
  description: `Find Sentry issues: unresolved ones by frequency, recent ones, one project's, or anything matching Sentry's search syntax. Lists short ID, title, culprit, event and user counts, first/last seen, and Seer's fixability score when Sentry has one; paginated.
Use it when the user has no issue ID yet ("what is breaking checkout?"). Not for one issue's details (get_issue).
Example: {"query": "is:unresolved checkout", "sort": "freq", "limit": 10} or {"project": "orders-api", "sort": "new", "period": "24h"}`,
  inputSchema: {
    query: z.string().max(500).optional().describe('Sentry search syntax; default "is:unresolved"'),
    project: z.string().max(100).optional().describe("Project slug (or numeric ID) to narrow the search"),
    sort: z
      .enum(["date", "freq", "new", "user"])
      .optional()
      .describe("date = last seen (default), freq = events, new = first seen, user = users affected"),
    limit: z.number().int().min(1).max(100).optional().describe("Issues per page (default 10)"),
    period: z
      .string()
      .regex(/^\d+[smhdw]$/)
      .optional()
      .describe('Time window, e.g. "24h" or "14d" (default)'),
    environment: z.string().max(100).optional().describe("Only this environment, e.g. production"),
    cursor: z.string().max(100).optional().describe("next_cursor from a previous page"),
    organization: z
      .string()
      .max(100)
      .optional()
      .describe("Organization slug, when the server has no default"),
  },
  outputSchema: issueListOutputShape,
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  async handler(input, ctx) {
    const org = await ctx.sentry.org(input.organization, ctx.signal);
    const query = input.query ?? "is:unresolved";
    const sort = input.sort ?? "date";
    const period = input.period ?? "14d";
    const ids = input.project
      ? [Number(await projectId(ctx.sentry, org, input.project, ctx.signal))]
      : undefined;
    const page = await ctx.sentry.listIssues(
      org,
      {
        query,
        projectIds: ids,
        sort,
        limit: input.limit ?? 10,
        statsPeriod: period,
        environment: input.environment ? [input.environment] : undefined,
        cursor: input.cursor,
      },
      ctx.signal,
    );
    const pageArgs = Object.fromEntries(
      Object.entries({ ...input, cursor: undefined }).filter(([, v]) => v !== undefined),
    );
    return renderIssueList({
      query,
      sort,
      period,
      pageArgs,
      issues: page.issues,
      total: page.hits,
      nextCursor: page.nextCursor,
      now: ctx.clock.now(),
      tools: ctx.toolNames,
    });
  },
});
