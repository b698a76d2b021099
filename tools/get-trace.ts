import { z } from "zod";
import { analyzeTrace, type TraceFocus } from "../src/analysis/trace-walk.ts";
import { inputError } from "../src/errors.ts";
import { renderTrace, traceOutputShape } from "../src/format/trace.ts";
import { resolveReference, traceIdOf } from "../src/sentry/issue-ref.ts";
import { fetchTrace, fetchTraceMeta } from "../src/sentry/traces.ts";
import { defineTool } from "../src/tool.ts";

export const getTrace = defineTool({
  name: "get_trace",
  title: "Get a distributed trace",
  description: `Show the distributed trace around an error: which services took part, the path from the root to the event's own span, errors recorded in other services, failing calls (HTTP ≥ 500, timeouts), the slowest spans and performance issues — condensed and bounded, never a dump.
Use it when an error may have been caused by another service (a failed HTTP call, a timeout) or to see what happened around it. Pass an issue to read the trace of its recommended event, or a trace ID. Not for log lines (use search_logs).
Example: {"issue": "STOREFRONT-3F"} or {"trace_id": "4f8b1c2e9a7d4e6f8c3b5a1d2e7f9c04"}`,
  inputSchema: {
    trace_id: z.string().max(64).optional().describe("32-character trace ID"),
    issue: z
      .string()
      .max(2000)
      .optional()
      .describe("Short ID, numeric ID or Sentry URL: read the trace of its event"),
    event: z
      .string()
      .max(64)
      .optional()
      .describe(
        'With issue: "recommended" (default), "latest", "oldest" or an event ID; with trace_id: the event ID whose span to find',
      ),
    organization: z
      .string()
      .max(100)
      .optional()
      .describe("Organization slug, when the server has no default"),
  },
  outputSchema: traceOutputShape,
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
