import { z } from "zod";
import { issueListOutputShape } from "../src/contract/issue-list.ts";
import { renderIssueList } from "../src/format/issue-list.ts";
import { projectId } from "../src/sentry/projects.ts";
import { defineTool } from "../src/tool.ts";
import { organizationInput, projectInput } from "../src/tool-inputs.ts";

export const searchIssues = defineTool({
  name: "search_issues",
  title: "Search Sentry issues",
  description:
    "Find Sentry issues by search syntax, project, environment and period, sorted by last seen, events, first seen or users. Use it when there is no issue ID yet; for one issue's details, use get_issue.",
  summary:
    "Find issues by Sentry search syntax, project, environment and period; sort by last seen, frequency, first seen or users; shows counts, first/last seen and Seer's fixability score; paginated with a cursor.",
  example: { query: "is:unresolved checkout", sort: "freq" },
  inputSchema: {
    query: z.string().max(500).optional().describe('Sentry search syntax; default "is:unresolved"'),
    project: projectInput.describe("Project slug or ID"),
    sort: z
      .enum(["date", "freq", "new", "user"])
      .optional()
      .describe("date = last seen (default), freq = events, new = first seen, user = users affected"),
    limit: z.number().int().min(1).max(100).optional().describe("Per page (default 10)"),
    period: z
      .string()
      .regex(/^\d+[smhdw]$/)
      .optional()
      .describe('e.g. "24h" (default 14d)'),
    environment: z.string().max(100).optional().describe("e.g. production"),
    cursor: z.string().max(100).optional().describe("next_cursor of the previous page"),
    organization: organizationInput,
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
