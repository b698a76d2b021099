import { z } from "zod";
import { collapseLogs, trimLogs } from "../src/analysis/logs.ts";
import { inputError } from "../src/errors.ts";
import { logsOutputShape, renderLogs } from "../src/format/logs.ts";
import { resolveRef } from "../src/sentry/issue-ref.ts";
import {
  countLogsBySeverity,
  fetchLogs,
  type LogQuery,
  type LogRow,
  normalizeSeverity,
} from "../src/sentry/logs.ts";
import { defineTool } from "../src/tool.ts";
import { issueInput, organizationInput, traceIdInput } from "../src/tool-inputs.ts";

const SEVERITIES = ["trace", "debug", "info", "warn", "error", "fatal"];

export const searchLogs = defineTool({
  name: "search_logs",
  title: "Search Sentry logs",
  description:
    "Sentry log lines for a trace, an issue (its trace and time window) or a query; identical lines collapsed, errors and warnings kept first. Use it to see what the services logged just before an error.",
  example: { issue: "ORDERS-API-7A", severity: "error,warn" },
  inputSchema: {
    trace_id: traceIdInput,
    issue: issueInput.optional(),
    query: z.string().max(500).optional().describe('Sentry search syntax, e.g. "coupon project:orders-api"'),
    severity: z
      .string()
      .max(60)
      .optional()
      .describe("Comma-separated: trace, debug, info, warn, error, fatal"),
    limit: z.number().int().min(1).max(200).optional().describe("Distinct lines (default 40)"),
    period: z
      .string()
      .regex(/^\d+[mhdw]$/)
      .optional()
      .describe('Without issue: e.g. "24h" (default 14d)'),
    organization: organizationInput,
  },
  outputSchema: logsOutputShape,
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  async handler(input, ctx) {
    const terms: string[] = [];
    let window: LogQuery = { query: "", statsPeriod: input.period ?? "14d" };
    let org: string;
    let traceId = input.trace_id?.trim().toLowerCase() ?? null;
    let eventTime: string | null = null;
    let title = "Logs";
    if (input.issue) {
      const { org: o, ref } = await resolveRef(
        ctx.sentry,
        { issue: input.issue, organization: input.organization },
        ctx.signal,
      );
      org = o;
      const [issue, event] = await Promise.all([
        ctx.sentry.getIssue(org, ref.id, ctx.signal),
        ctx.sentry.getIssueEvent(org, ref.id, "recommended", ctx.signal),
      ]);
      eventTime = event.dateCreated;
      traceId ??= event.trace?.traceId ?? null;
      const t = eventTime ? Date.parse(eventTime) : Date.now();
      // With a trace, its lines within an hour either side; without one, the project's lines just before the error.
      window = traceId
        ? {
            query: "",
            start: new Date(t - 3_600_000).toISOString(),
            end: new Date(t + 3_600_000).toISOString(),
          }
        : { query: "", start: new Date(t - 600_000).toISOString(), end: new Date(t + 120_000).toISOString() };
      if (!traceId) terms.push(`project:${issue.project.slug}`);
      title = `Logs around ${issue.shortId ?? issue.id}${traceId ? ` (trace ${traceId})` : ` (project ${issue.project.slug}, no trace on the event)`}`;
    } else {
      org = await ctx.sentry.org(input.organization, ctx.signal);
      if (!traceId && !input.query)
        throw inputError("pass trace_id, issue or query.", 'Example: {"issue": "ORDERS-API-7A"}');
      if (traceId) title = `Logs of trace ${traceId}`;
    }
    if (traceId && !/^[0-9a-f]{32}$/.test(traceId))
      throw inputError(`"${traceId.slice(0, 64)}" is not a trace ID (32 hex characters).`);
    if (traceId) terms.push(`trace:${traceId}`);
    const severities = parseSeverities(input.severity);
    if (severities.length > 0) terms.push(`severity:[${severities.join(",")}]`);
    if (input.query) terms.push(input.query);
    const q: LogQuery = { ...window, query: terms.join(" ") };

    // The newest rows, every error/warning (so trimming can never lose them), and the totals, in parallel.
    const wantsImportant = severities.length === 0;
    const [page, important, counts] = await Promise.all([
      fetchLogs(ctx.sentry, org, q, ctx.signal),
      wantsImportant
        ? fetchLogs(
            ctx.sentry,
            org,
            { ...q, query: `${q.query} severity:[fatal,error,warn]`.trim() },
            ctx.signal,
          )
        : null,
      countLogsBySeverity(ctx.sentry, org, q, ctx.signal).catch((error) => {
        ctx.logger.warn("log counts unavailable", { error });
        return null;
      }),
    ]);
    const rows: LogRow[] = [...page.rows, ...(important?.rows ?? [])];
    const { kept, elided } = trimLogs(collapseLogs(rows), input.limit ?? 40);
    return renderLogs({
      title,
      query: q.query,
      window: {
        start: q.start ?? null,
        end: q.end ?? null,
        period: q.start ? null : (q.statsPeriod ?? null),
      },
      fetched: rows.length,
      bySeverity: counts,
      more: page.more || Boolean(important?.more),
      kept,
      elided,
      eventTime,
      tools: ctx.toolNames,
      traceId,
    });
  },
});

function parseSeverities(value: string | undefined): string[] {
  if (!value) return [];
  const list = value
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((s) => normalizeSeverity(s));
  const bad = list.filter((s) => !SEVERITIES.includes(s));
  if (bad.length > 0)
    throw inputError(
      `unknown severity "${bad[0]}".`,
      `Use one or more of ${SEVERITIES.join(", ")} (comma-separated).`,
    );
  return [...new Set(list)];
}
