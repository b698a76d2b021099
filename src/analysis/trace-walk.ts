import type { Trace, TraceIssueRef, TraceSpan } from "../sentry/traces.ts";

/**
 * What an engineer looks at in a trace, as pure functions: the services involved, the path from the root to
 * the event's own span, errors (especially those recorded by other services), failing calls, the slowest
 * spans and performance occurrences. Every list is bounded and says how much it left out.
 */

export interface TraceFocus {
  /** The error event the trace is read for. */
  eventId?: string | null;
  /** `contexts.trace.span_id` of that event. */
  spanId?: string | null;
  /** The event's project, so errors elsewhere stand out. */
  project?: string | null;
}

interface TraceLimits {
  path: number;
  errors: number;
  failing: number;
  slowest: number;
  occurrences: number;
  services: number;
}

export const DEFAULT_TRACE_LIMITS: TraceLimits = {
  path: 12,
  errors: 12,
  failing: 8,
  slowest: 8,
  occurrences: 6,
  services: 20,
};

export interface LocatedRef {
  ref: TraceIssueRef;
  span: TraceSpan | null;
  thisEvent: boolean;
  otherProject: boolean;
}

export interface TraceAnalysis {
  spanCount: number;
  transactionCount: number;
  services: Array<{ project: string; spans: number; errors: number }>;
  eventSpan: TraceSpan | null;
  /** Root → the event's span; long paths keep their ends (see `pathElided`). */
  eventPath: TraceSpan[];
  pathElided: number;
  errors: LocatedRef[];
  failing: TraceSpan[];
  slowest: TraceSpan[];
  occurrences: LocatedRef[];
  elided: { services: number; errors: number; failing: number; slowest: number; occurrences: number };
  /** The trace's wall-clock span in ms. */
  durationMs: number | null;
}

const FAILED_STATUSES = new Set([
  "internal_error",
  "unavailable",
  "deadline_exceeded",
  "unknown_error",
  "data_loss",
  "aborted",
  "resource_exhausted",
]);
const CALL_OP = /^(http|grpc|rpc|db|cache|queue)/i;

export function isFailingCall(span: TraceSpan): boolean {
  if (span.httpStatus !== null && span.httpStatus >= 500) return true;
  if (span.status && FAILED_STATUSES.has(span.status))
    return CALL_OP.test(span.op ?? "") || span.status === "deadline_exceeded";
  return false;
}

export function isTimeout(span: TraceSpan): boolean {
  return span.status === "deadline_exceeded" || span.httpStatus === 504 || span.httpStatus === 408;
}

/** Every span with its parent, iteratively (no recursion limits) and never visiting a node twice. */
function flatten(trace: Trace): { spans: TraceSpan[]; parent: Map<TraceSpan, TraceSpan | null> } {
  const spans: TraceSpan[] = [];
  const parent = new Map<TraceSpan, TraceSpan | null>();
  const stack: Array<[TraceSpan, TraceSpan | null]> = trace.roots.map((r) => [r, null]);
  stack.reverse();
  while (stack.length > 0) {
    const [span, p] = stack.pop()!;
    if (parent.has(span)) continue;
    parent.set(span, p);
    spans.push(span);
    for (let i = span.children.length - 1; i >= 0; i--) stack.push([span.children[i]!, span]);
  }
  return { spans, parent };
}

export function analyzeTrace(
  trace: Trace,
  focus: TraceFocus = {},
  limits: TraceLimits = DEFAULT_TRACE_LIMITS,
): TraceAnalysis {
  const { spans, parent } = flatten(trace);
  const eventSpan =
    (focus.spanId ? spans.find((s) => s.spanId === focus.spanId) : undefined) ??
    (focus.eventId ? spans.find((s) => s.errors.some((e) => e.eventId === focus.eventId)) : undefined) ??
    null;

  // The event's own project: given, or read off the trace, so errors in other services stand out.
  const ownRef = focus.eventId
    ? [...spans.flatMap((sp) => sp.errors), ...trace.orphanErrors].find((e) => e.eventId === focus.eventId)
    : undefined;
  const project = focus.project ?? ownRef?.project ?? eventSpan?.project ?? null;

  const { kept: eventPath, elided: pathElided } = keepEnds(
    pathTo(eventSpan, parent, spans.length),
    limits.path,
  );

  const { byProject, located, occurrences } = locateErrors(trace, spans, focus, project);
  // This event first, then other services' errors, then the rest, each by time.
  const rank = (l: LocatedRef) => (l.thisEvent ? 0 : l.otherProject ? 1 : 2);
  located.sort((a, b) => rank(a) - rank(b) || (a.ref.timestamp ?? 0) - (b.ref.timestamp ?? 0));
  const failing = spans.filter(isFailingCall).sort((a, b) => (a.start ?? 0) - (b.start ?? 0));
  const slowest = [...spans]
    .filter((s) => s.durationMs !== null)
    .sort((a, b) => b.durationMs! - a.durationMs!);
  const services = [...byProject.values()].sort((a, b) => b.errors - a.errors || b.spans - a.spans);

  return {
    spanCount: spans.length,
    transactionCount: spans.filter((s) => s.isTransaction).length,
    services: services.slice(0, limits.services),
    eventSpan,
    eventPath,
    pathElided,
    errors: located.slice(0, limits.errors),
    failing: failing.slice(0, limits.failing),
    slowest: slowest.slice(0, limits.slowest),
    occurrences: occurrences.slice(0, limits.occurrences),
    elided: {
      services: Math.max(0, services.length - limits.services),
      errors: Math.max(0, located.length - limits.errors),
      failing: Math.max(0, failing.length - limits.failing),
      slowest: Math.max(0, slowest.length - limits.slowest),
      occurrences: Math.max(0, occurrences.length - limits.occurrences),
    },
    durationMs: duration(spans),
  };
}

/** The spans from the trace's root down to the event's span. */
function pathTo(
  eventSpan: TraceSpan | null,
  parent: Map<TraceSpan, TraceSpan | null>,
  max: number,
): TraceSpan[] {
  const path: TraceSpan[] = [];
  for (let s: TraceSpan | null = eventSpan; s; s = parent.get(s) ?? null) {
    path.unshift(s);
    if (path.length > max) break;
  }
  return path;
}

/** Every error and occurrence with its span, whether it is this event's and in another service; per service, counts. */
function locateErrors(trace: Trace, spans: TraceSpan[], focus: TraceFocus, project: string | null) {
  const byProject = new Map<string, { project: string; spans: number; errors: number }>();
  const located: LocatedRef[] = [];
  const occurrences: LocatedRef[] = [];
  const locate = (ref: TraceIssueRef, span: TraceSpan | null): LocatedRef => ({
    ref,
    span,
    thisEvent: Boolean(focus.eventId && ref.eventId === focus.eventId),
    otherProject: Boolean(project && ref.project && ref.project !== project),
  });
  for (const span of spans) {
    const key = span.project ?? "(unknown project)";
    const entry = byProject.get(key) ?? { project: key, spans: 0, errors: 0 };
    entry.spans++;
    entry.errors += span.errors.length;
    byProject.set(key, entry);
    for (const e of span.errors) located.push(locate(e, span));
    for (const o of span.occurrences) occurrences.push(locate(o, span));
  }
  for (const e of trace.orphanErrors) {
    located.push(locate(e, null));
    const key = e.project ?? "(unknown project)";
    const entry = byProject.get(key) ?? { project: key, spans: 0, errors: 0 };
    entry.errors++;
    byProject.set(key, entry);
  }
  return { byProject, located, occurrences };
}

/** From the first span's start to the last one's end, in milliseconds. */
function duration(spans: TraceSpan[]): number | null {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const s of spans) {
    if (s.start !== null && s.start < first) first = s.start;
    if (s.end !== null && s.end > last) last = s.end;
  }
  return Number.isFinite(first) && Number.isFinite(last) ? (last - first) * 1000 : null;
}

function keepEnds<T>(items: T[], max: number): { kept: T[]; elided: number } {
  if (items.length <= max) return { kept: items, elided: 0 };
  const head = Math.ceil(max / 3);
  return {
    kept: [...items.slice(0, head), ...items.slice(items.length - (max - head))],
    elided: items.length - max,
  };
}
