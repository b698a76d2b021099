import {
  DEFAULT_TRACE_LIMITS,
  isTimeout,
  type LocatedRef,
  type TraceAnalysis,
} from "../analysis/trace-walk.ts";
import type { TraceStructured } from "../contract/trace.ts";
import type { Trace, TraceMeta, TraceSpan } from "../sentry/traces.ts";
import { call, cell, data, facts, field, lines, UNTRUSTED_NOTICE } from "./markdown.ts";

interface TraceViewInput {
  trace: Trace;
  analysis: TraceAnalysis;
  meta: TraceMeta | null;
  focusLabel: string | null;
  tools: ReadonlySet<string>;
}

export function renderTrace(input: TraceViewInput): { markdown: string; structured: TraceStructured } {
  const { trace, analysis: a, meta } = input;
  const services = a.services.map(
    (s) =>
      `\`${s.project}\` (${s.spans} spans${s.errors ? `, ${s.errors} error${s.errors > 1 ? "s" : ""}` : ""})`,
  );
  const sections: Array<string | null> = [
    `# Trace \`${trace.traceId}\``,
    UNTRUSTED_NOTICE,
    lines(
      field("Services", `${services.join(", ")}${a.elided.services ? `, … ${a.elided.services} more` : ""}`),
      facts(
        field("Spans", `${a.spanCount}${a.transactionCount ? ` (${a.transactionCount} transactions)` : ""}`),
        field("Duration", a.durationMs !== null ? `${Math.round(a.durationMs)} ms` : null),
        field("Source", trace.source === "events-trace" ? "legacy /events-trace/ (older Sentry)" : null),
      ),
      meta ? field("Sentry counts", metaLine(meta)) : null,
      input.focusLabel ? field("Read for", input.focusLabel) : null,
    ),
    pathSection(a, input.focusLabel !== null),
    errorsSection(a),
    listSection(
      "Failing calls (HTTP ≥ 500, timeouts, RPC errors)",
      a.failing,
      a.elided.failing,
      "none found",
    ),
    slowestSection(a),
    a.occurrences.length > 0
      ? lines("## Performance issues in this trace", ...a.occurrences.map(refLine))
      : null,
    boundsLine(a),
    nextSection(input),
  ];
  return { markdown: sections.filter(Boolean).join("\n\n"), structured: structured(input) };
}

function metaLine(m: TraceMeta): string {
  const parts = [
    m.errors !== null ? `${m.errors} errors` : null,
    m.performanceIssues !== null ? `${m.performanceIssues} performance issues` : null,
    m.spans !== null ? `${m.spans} spans` : null,
    m.logs !== null ? `${m.logs} logs` : null,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(", ") : "unavailable";
}

function spanLabel(s: TraceSpan): string {
  const status =
    s.httpStatus !== null ? ` → HTTP ${s.httpStatus}` : s.status && s.status !== "ok" ? ` → ${s.status}` : "";
  const ms = s.durationMs !== null ? ` (${Math.round(s.durationMs)} ms)` : "";
  return `\`${s.project ?? "?"}\` ${data(s.op ?? "span", 40)} ${data(s.description ?? s.transaction, 140)}${status}${ms}`;
}

function pathSection(a: TraceAnalysis, focused: boolean): string | null {
  if (!a.eventSpan) {
    if (a.errors.length === 0) return null;
    // Only an event that was named can be missing; a bare trace ID names none.
    return focused
      ? "The event's own span is not in this trace (it may have been sampled out)."
      : "No event was named, so no path is drawn: pass `event` (an event ID below) with `trace_id`, or `issue`, to see the path from the root to its span.";
  }
  const rows = a.eventPath.map((s, i) => {
    const here = s === a.eventSpan ? " ← this event's span" : "";
    const tx = s.isTransaction ? " [transaction]" : "";
    const gap =
      a.pathElided > 0 && i === Math.ceil(DEFAULT_TRACE_LIMITS.path / 3)
        ? `   … ${a.pathElided} spans elided\n`
        : "";
    return `${gap}${i + 1}. ${"  ".repeat(Math.min(i, 8))}${spanLabel(s)}${tx}${here}`;
  });
  return lines("## Path from the root to the event's span", ...rows);
}

function refLine(l: LocatedRef): string {
  const tag = l.thisEvent ? "**this event**" : l.otherProject ? "**other service**" : "";
  const id = l.ref.shortId ? `\`${l.ref.shortId}\`` : l.ref.issueId ? `issue ${l.ref.issueId}` : "an event";
  const where = l.span
    ? ` · on ${data(l.span.op ?? "span", 30)} ${data(l.span.description, 80)}`
    : " · not attached to a span";
  const culprit = l.ref.culprit ? ` · culprit ${data(l.ref.culprit, 100)}` : "";
  return `- ${tag ? `${tag} ` : ""}${id} in \`${l.ref.project ?? "?"}\`: ${data(l.ref.title, 160)}${culprit}${where}`;
}

function errorsSection(a: TraceAnalysis): string {
  if (a.errors.length === 0) return "## Errors in this trace\nnone recorded";
  const more = a.elided.errors ? `- … ${a.elided.errors} more errors` : null;
  return lines(
    `## Errors in this trace (${a.errors.length + a.elided.errors})`,
    ...a.errors.map(refLine),
    more,
  );
}

function listSection(title: string, spans: TraceSpan[], elided: number, empty: string): string {
  if (spans.length === 0) return `## ${title}\n${empty}`;
  return lines(
    `## ${title}`,
    ...spans.map((s) => `- ${spanLabel(s)}${isTimeout(s) ? " (timeout)" : ""}`),
    elided ? `- … ${elided} more` : null,
  );
}

function slowestSection(a: TraceAnalysis): string | null {
  if (a.slowest.length === 0) return null;
  return lines(
    "## Slowest spans",
    "| ms | service | op | description |",
    "|---|---|---|---|",
    ...a.slowest.map(
      (s) =>
        `| ${Math.round(s.durationMs ?? 0)} | \`${s.project ?? "?"}\` | ${cell(s.op, 30)} | ${cell(s.description ?? s.transaction, 100)} |`,
    ),
  );
}

function boundsLine(a: TraceAnalysis): string {
  const l = DEFAULT_TRACE_LIMITS;
  const elided = Object.entries({ ...a.elided, path: a.pathElided })
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`);
  return `**Bounds**: at most ${l.path} path spans, ${l.errors} errors, ${l.failing} failing calls, ${l.slowest} slow spans and ${l.occurrences} performance issues are shown${elided.length ? `; elided: ${elided.join(", ")}` : "; nothing was elided"}.`;
}

function nextSection(input: TraceViewInput): string {
  const has = (t: string) => input.tools.has(t);
  const next: string[] = [];
  const others = input.analysis.errors.filter((e) => !e.thisEvent && e.ref.shortId).slice(0, 2);
  for (const o of others)
    if (has("get_issue"))
      next.push(
        `${call("get_issue", { issue: o.ref.shortId })} — the error ${o.ref.project ?? "another service"} recorded`,
      );
  if (has("search_logs"))
    next.push(`${call("search_logs", { trace_id: input.trace.traceId })} — log lines of this trace`);
  const profiled = [...input.analysis.eventPath].reverse().find((s) => s.profileId);
  if (profiled && has("get_profile"))
    next.push(
      `${call("get_profile", { profile_id: profiled.profileId, project: profiled.project })} — where the time went`,
    );
  return lines("## Next", ...next.map((n) => `- ${n}`));
}

function spanOut(s: TraceSpan) {
  return {
    span_id: s.spanId,
    project: s.project,
    op: s.op,
    description: s.description,
    duration_ms: s.durationMs,
    status: s.status,
    http_status: s.httpStatus,
  };
}

function refOut(l: LocatedRef) {
  return {
    kind: l.ref.kind,
    project: l.ref.project,
    short_id: l.ref.shortId,
    issue_id: l.ref.issueId,
    event_id: l.ref.eventId,
    title: l.ref.title,
    culprit: l.ref.culprit,
    span_id: l.span?.spanId ?? l.ref.spanId,
    this_event: l.thisEvent,
    other_project: l.otherProject,
  };
}

function structured(input: TraceViewInput): TraceStructured {
  const a = input.analysis;
  return {
    trace_id: input.trace.traceId,
    source: input.trace.source,
    span_count: a.spanCount,
    duration_ms: a.durationMs,
    services: a.services,
    error_nodes: a.errors.map(refOut),
    event_span_path: a.eventPath.map(spanOut),
    failing_calls: a.failing.map(spanOut),
    slowest_spans: a.slowest.map(spanOut),
    occurrences: a.occurrences.map(refOut),
    meta: input.meta
      ? {
          errors: input.meta.errors,
          performance_issues: input.meta.performanceIssues,
          spans: input.meta.spans,
          logs: input.meta.logs,
        }
      : null,
    elided: {
      path: a.pathElided,
      errors: a.elided.errors,
      failing_calls: a.elided.failing,
      slowest_spans: a.elided.slowest,
      occurrences: a.elided.occurrences,
      services: a.elided.services,
    },
  };
}
