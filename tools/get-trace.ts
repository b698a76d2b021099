import { analyzeTrace, type TraceFocus } from "../src/analysis/trace-walk.ts";
import { traceOutputShape } from "../src/contract/trace.ts";
import { inputError } from "../src/errors.ts";
import { renderTrace } from "../src/format/trace.ts";
import { resolveReference, traceIdOf } from "../src/sentry/issue-ref.ts";
import { fetchTrace, fetchTraceMeta } from "../src/sentry/traces.ts";
import { defineTool } from "../src/tool.ts";
import { eventInput, issueInput, organizationInput, traceIdInput } from "../src/tool-inputs.ts";
import { RUN_VIEW_URI } from "../src/ui/run-view.ts";

export const getTrace = defineTool({
  name: "get_trace",
  title: "Get a distributed trace",
  description:
    "The distributed trace around an event: services, the path to the event's span, errors in other services, failing and slowest calls. Use it when another service may have caused the error; for log lines, use search_logs.",
  summary:
    "The distributed trace around an event (or by ID): services, the path from the root to the event's span, errors recorded by other services, failing calls (HTTP ≥ 500, timeouts), slowest spans, performance issues. At most 12 path spans, 12 errors, 8 failing calls, 8 slow spans and 6 performance issues, with counts of what was elided. Falls back to `/events-trace/` on older Sentry.",
  example: { issue: "STOREFRONT-3F" },
  inputSchema: {
    trace_id: traceIdInput,
    issue: issueInput.optional(),
    event: eventInput,
    organization: organizationInput,
  },
  outputSchema: traceOutputShape,
  ui: RUN_VIEW_URI,
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  async handler(input, ctx) {
    if (!input.trace_id?.trim() && !input.issue?.trim())
      throw inputError(
        "pass trace_id or issue.",
        'Example: {"issue": "ORDERS-API-7A"} or {"trace_id": "<32 hex characters>"}',
      );
    const reference = await resolveReference(ctx.sentry, input, ctx.signal);
    const { org } = reference;
    // Without an issue, the trace ID was given (checked above); an event ID with it says whose span to find.
    let traceId = reference.traceId!;
    let focus: TraceFocus = reference.eventId ? { eventId: reference.eventId } : {};
    let around: string | null = null;
    let focusLabel = reference.eventId ? `event \`${reference.eventId}\`` : null;
    if (reference.issue) {
      const event = await ctx.sentry.getIssueEvent(
        org,
        reference.issue.ref.id,
        reference.issue.selector,
        ctx.signal,
      );
      if (!event.trace?.traceId) {
        throw inputError(
          `the event ${event.id} of ${input.issue} carries no trace ID (contexts.trace is missing).`,
          "This SDK or event was not traced; use get_issue for the event itself.",
        );
      }
      traceId = reference.traceId ?? traceIdOf(event.trace.traceId);
      focus = { eventId: event.id, spanId: event.trace.spanId, project: event.projectSlug };
      around = event.dateCreated;
      focusLabel = `event \`${event.id}\` of ${input.issue!.length < 40 ? `\`${input.issue}\`` : "the issue"}${event.trace.spanId ? ` (span \`${event.trace.spanId}\`)` : ""}`;
    }
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
