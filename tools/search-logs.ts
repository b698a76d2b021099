import { z } from "zod";
import { collapseLogs, trimLogs } from "../src/analysis/logs.ts";
import { logsOutputShape } from "../src/contract/logs.ts";
import { inputError } from "../src/errors.ts";
import { renderLogs } from "../src/format/logs.ts";
import { issueAndEvent, normalTraceId, resolveReference } from "../src/sentry/issue-ref.ts";
import {
  fetchLogsKeepingErrors,
  LOG_WINDOWS,
  type LogQuery,
  logsAround,
  normalizeSeverity,
} from "../src/sentry/logs.ts";
import { defineTool } from "../src/tool.ts";
import { eventInput, issueInput, organizationInput, traceIdInput } from "../src/tool-inputs.ts";

const SEVERITIES = ["trace", "debug", "info", "warn", "error", "fatal"];

export const searchLogs = defineTool({
  name: "search_logs",
  title: "Search Sentry logs",
  description:
    "Sentry log lines for a trace, an issue (its trace and time window) or a query; identical lines collapsed, errors and warnings kept first. Use it to see what the services logged just before an error.",
  summary:
    "Sentry Logs for a trace, an issue (its trace and time window) or a query, with a severity filter. Chronological, identical lines collapsed with counts, errors and warnings kept first when trimming, totals per severity. Falls back to the `ourlogs` dataset on older Sentry.",
  example: { issue: "ORDERS-API-7A", severity: "error,warn" },
  inputSchema: {
    trace_id: traceIdInput,
    issue: issueInput.optional(),
    event: eventInput,
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
    if (!input.trace_id?.trim() && !input.issue?.trim() && !input.query)
      throw inputError("pass trace_id, issue or query.", 'Example: {"issue": "ORDERS-API-7A"}');
    const reference = await resolveReference(ctx.sentry, input, ctx.signal);
    if (reference.eventId) throw eventNeedsIssue();
    const { org } = reference;
    let traceId = reference.traceId;
    let eventTime: string | null = null;
    let title = traceId ? `Logs of trace ${traceId}` : "Logs";
    if (reference.issue) {
      const { issue, event } = await issueAndEvent(ctx.sentry, org, reference.issue, ctx.signal);
      eventTime = event.dateCreated;
      traceId ??= normalTraceId(event.trace?.traceId);
      window = { query: "", ...logsAround(eventTime, traceId ? LOG_WINDOWS.trace : LOG_WINDOWS.project) };
      if (!traceId) terms.push(`project:${issue.project.slug}`);
      title = `Logs around ${issue.shortId ?? issue.id}${traceId ? ` (trace ${traceId})` : ` (project ${issue.project.slug}, no trace on the event)`}`;
    }
    if (traceId) terms.push(`trace:${traceId}`);
    const severities = parseSeverities(input.severity);
    if (severities.length > 0) terms.push(`severity:[${severities.join(",")}]`);
    if (input.query) terms.push(input.query);
    const q: LogQuery = { ...window, query: terms.join(" ") };

    const { rows, more, counts } = await fetchLogsKeepingErrors(ctx.sentry, org, q, {
      severities: severities.length > 0,
      signal: ctx.signal,
      onCountError: (error) => ctx.logger.warn("log counts unavailable", { error }),
    });
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
      more,
      kept,
      elided,
      eventTime,
      tools: ctx.toolNames,
      traceId,
    });
  },
});

function eventNeedsIssue() {
  return inputError(
    "event picks one of an issue's events: pass issue with it.",
    'Example: {"issue": "ORDERS-API-7A", "event": "latest"}; a trace_id alone reads the whole trace.',
  );
}

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
