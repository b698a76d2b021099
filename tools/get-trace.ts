import { analyzeTrace } from "../src/analysis/trace-walk.ts";
import { inputError } from "../src/errors.ts";
import { renderTrace, traceOutputShape } from "../src/format/trace.ts";
import { eventFor } from "../src/sentry/issue-ref.ts";
import { fetchTrace, fetchTraceMeta } from "../src/sentry/traces.ts";
import { defineTool } from "../src/tool.ts";
import { eventInput, issueInput, organizationInput, traceIdInput } from "../src/tool-inputs.ts";

export const getTrace = defineTool({
  name: "get_trace",
  title: "Get a distributed trace",
  description:
    "The distributed trace around an event: services, the path to the event's span, errors in other services, failing and slowest calls. Use it when another service may have caused the error; for log lines, use search_logs.",
  example: { issue: "STOREFRONT-3F" },
  inputSchema: {
    trace_id: traceIdInput,
    issue: issueInput.optional(),
    event: eventInput,
    organization: organizationInput,
  },
  outputSchema: traceOutputShape,
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  async handler(input, ctx) {
    let traceId = input.trace_id?.trim().toLowerCase().replace(/-/g, "") ?? null;
    let focus: { eventId?: string; spanId?: string | null; project?: string | null } = {};
    let around: string | null = null;
    let org: string;
    let focusLabel: string | null = null;
    if (input.issue) {
      const found = await eventFor(
        ctx.sentry,
        { issue: input.issue, event: input.event, organization: input.organization },
        ctx.signal,
      );
      org = found.org;
      if (!found.event.trace?.traceId) {
        throw inputError(
          `the event ${found.event.id} of ${input.issue} carries no trace ID (contexts.trace is missing).`,
          "This SDK or event was not traced; use get_issue for the event itself.",
        );
      }
      traceId ??= found.event.trace.traceId;
      focus = { eventId: found.event.id, spanId: found.event.trace.spanId, project: found.event.projectSlug };
      around = found.event.dateCreated;
      focusLabel = `event \`${found.event.id}\` of ${input.issue.length < 40 ? `\`${input.issue}\`` : "the issue"}${found.event.trace.spanId ? ` (span \`${found.event.trace.spanId}\`)` : ""}`;
    } else {
      if (!traceId)
        throw inputError(
          "pass trace_id or issue.",
          'Example: {"issue": "ORDERS-API-7A"} or {"trace_id": "<32 hex characters>"}',
        );
      org = await ctx.sentry.org(input.organization, ctx.signal);
    }
    if (!/^[0-9a-f]{32}$/.test(traceId))
      throw inputError(
        `"${traceId.slice(0, 64)}" is not a trace ID (32 hex characters).`,
        "Take it from get_issue's Trace line.",
      );
    const window = { errorId: focus.eventId ?? null, around };
    const [meta, trace] = await Promise.all([
      fetchTraceMeta(ctx.sentry, org, traceId, window, ctx.signal).catch((error) => {
        ctx.logger.warn("trace-meta unavailable", { error });
        return null;
      }),
      fetchTrace(ctx.sentry, org, traceId, window, ctx.signal),
    ]);
    const analysis = analyzeTrace(trace, focus);
    return renderTrace({ trace, analysis, meta, focusLabel, tools: ctx.toolNames });
  },
});
