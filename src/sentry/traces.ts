import { NotFoundError } from "../errors.ts";
import type { SentryClient } from "./client.ts";
import { arr, int, isObj, type Json, num, obj, pick, str, text } from "./lenient.ts";
import { enc } from "./paths.ts";

/**
 * Distributed traces. The current `/trace/{id}/` endpoint returns an array of span nodes (with `children`,
 * `errors`, `occurrences`); older self-hosted installs only serve `/events-trace/{id}/` (transactions with
 * `orphan_errors`). trace-meta has had three key spellings. All of it normalizes into TraceSpan trees.
 */

export interface TraceIssueRef {
  kind: "error" | "occurrence";
  eventId: string | null;
  issueId: string | null;
  shortId: string | null;
  title: string | null;
  culprit: string | null;
  level: string | null;
  project: string | null;
  transaction: string | null;
  /** The span the error was recorded on, when known. */
  spanId: string | null;
  timestamp: number | null;
}

export interface TraceSpan {
  spanId: string | null;
  eventId: string | null;
  parentSpanId: string | null;
  project: string | null;
  op: string | null;
  description: string | null;
  transaction: string | null;
  isTransaction: boolean;
  start: number | null;
  end: number | null;
  durationMs: number | null;
  status: string | null;
  httpStatus: number | null;
  profileId: string | null;
  /** Where in the code the span ran, when the SDK recorded it (`code.filepath`, `code.function`, `code.lineno`). */
  code: { filepath: string | null; function: string | null; lineno: number | null } | null;
  errors: TraceIssueRef[];
  occurrences: TraceIssueRef[];
  children: TraceSpan[];
}

export interface Trace {
  traceId: string;
  roots: TraceSpan[];
  /** Errors not attached to any span. */
  orphanErrors: TraceIssueRef[];
  source: "trace" | "events-trace";
}

export interface TraceMeta {
  errors: number | null;
  performanceIssues: number | null;
  spans: number | null;
  logs: number | null;
  transactions: number | null;
  projects: number | null;
}

interface TraceWindow {
  /** Bias the trace toward this error (Sentry's `errorId`). */
  errorId?: string | null;
  /** ISO time of the event; picks a window around it instead of the last 14 days. */
  around?: string | null;
}

export async function fetchTraceMeta(
  sentry: SentryClient,
  org: string,
  traceId: string,
  window: TraceWindow = {},
  signal?: AbortSignal,
): Promise<TraceMeta> {
  const res = await sentry.getJson(
    org,
    `/organizations/${enc(org)}/trace-meta/${enc(traceId)}/`,
    period(window),
    signal,
  );
  return normalizeTraceMeta(res.body);
}

/**
 * The trace, from the current endpoint or, when this Sentry does not have it, the legacy one. An empty answer
 * from the current endpoint is checked against the legacy one too, unless `window.exists` (what trace-meta
 * said, asked in the same wave) settles that Sentry holds nothing for this trace: then there is nothing to
 * find and no third round trip to wait for.
 */
export async function fetchTrace(
  sentry: SentryClient,
  org: string,
  traceId: string,
  window: TraceWindow & { exists?: Promise<boolean | null> } = {},
  signal?: AbortSignal,
): Promise<Trace> {
  const facts = sentry.orgFacts(org);
  if (facts.traceEndpoint !== "legacy-only") {
    let empty = false;
    try {
      const res = await sentry.getJson(
        org,
        `/organizations/${enc(org)}/trace/${enc(traceId)}/`,
        { ...period(window), errorId: window.errorId ?? undefined, limit: 10000, project: -1 },
        signal,
      );
      facts.traceEndpoint = "current";
      const trace = normalizeTrace(traceId, res.body);
      if (trace.roots.length > 0 || trace.orphanErrors.length > 0) return trace;
      empty = true;
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      // A Sentry that predates the endpoint; one that has served it before keeps being asked.
      if (facts.traceEndpoint !== "current") facts.traceEndpoint = "legacy-only";
    }
    if (empty && (await window.exists) === false) throw traceNotFound(traceId);
  }
  try {
    const res = await sentry.getJson(
      org,
      `/organizations/${enc(org)}/events-trace/${enc(traceId)}/`,
      { ...period(window), project: -1, event_id: window.errorId ?? undefined, detailed: 1, limit: 10000 },
      signal,
    );
    const legacy = normalizeLegacyTrace(traceId, res.body);
    if (legacy.roots.length > 0 || legacy.orphanErrors.length > 0) return legacy;
    throw new NotFoundError(`trace ${traceId} is empty`);
  } catch (error) {
    if (error instanceof NotFoundError) throw traceNotFound(traceId);
    throw error;
  }
}

function traceNotFound(traceId: string): NotFoundError {
  return new NotFoundError(
    `trace ${traceId} was not found (it may be older than the retention period, or unsampled).`,
    {
      service: "Sentry",
      hint: "Check the trace ID (32 hex characters, from get_issue's Trace line).",
    },
  );
}

/**
 * Whether trace-meta's answer shows the trace exists: false when Sentry has no trace-meta for it or counts
 * nothing in it, true when it counts something, null when it could not tell (an error, or no counts given).
 */
export function traceExists(meta: Promise<TraceMeta>): Promise<boolean | null> {
  return meta.then(
    (m) => {
      const counts = [m.errors, m.spans, m.transactions, m.performanceIssues, m.logs];
      if (counts.some((c) => c !== null && c > 0)) return true;
      return counts.every((c) => c === 0) ? false : null;
    },
    (error: unknown) => (error instanceof NotFoundError ? false : null),
  );
}

function period(window: TraceWindow): Record<string, string> {
  const t = window.around ? Date.parse(window.around) : Number.NaN;
  if (Number.isNaN(t)) return { statsPeriod: "14d" };
  const day = 24 * 3600 * 1000;
  return { start: new Date(t - day).toISOString(), end: new Date(t + day).toISOString() };
}

export function normalizeTraceMeta(input: unknown): TraceMeta {
  const m = obj(input);
  const projects = pick(m, "projects", "projectsCount");
  return {
    errors: int(pick(m, "errorsCount", "errors")),
    performanceIssues: int(pick(m, "performanceIssuesCount", "performance_issues")),
    spans: int(pick(m, "spansCount", "span_count")),
    logs: int(pick(m, "logsCount", "logs")),
    transactions:
      int(pick(m, "transactions", "transactionsCount")) ??
      countOfMap(pick(m, "transactionChildCountMap", "transaction_child_count_map")),
    projects: int(projects),
  };
}

function countOfMap(value: unknown): number | null {
  return Array.isArray(value) ? value.length : null;
}

/** Current format: an array of span nodes and stray issue refs. */
export function normalizeTrace(traceId: string, input: unknown): Trace {
  const items = Array.isArray(input) ? input : arr(obj(input).spans ?? obj(input).transactions);
  const roots: TraceSpan[] = [];
  const orphanErrors: TraceIssueRef[] = [];
  for (const item of items) {
    if (!isObj(item)) continue;
    if (isIssueRef(item)) orphanErrors.push(issueRef(item));
    else roots.push(spanNode(item, 0));
  }
  return { traceId, roots, orphanErrors, source: "trace" };
}

function isIssueRef(item: Json): boolean {
  const type = text(item.event_type);
  if (type === "error" || type === "occurrence") return true;
  if (type === "span" || type === "transaction") return false;
  // The older variant: standalone issues carry issue_id and title but no span fields.
  return (
    item.issue_id !== undefined &&
    item.span_id === undefined &&
    item.op === undefined &&
    item.children === undefined
  );
}

function issueRef(item: Json): TraceIssueRef {
  const type = text(item.event_type) ?? text(item.type);
  return {
    kind: type === "occurrence" || item.suspect_spans !== undefined ? "occurrence" : "error",
    eventId: text(pick(item, "event_id", "id")),
    issueId: str(pick(item, "issue_id", "issue.id")),
    shortId: text(pick(item, "short_id", "issue_short_id", "issue")),
    title: text(pick(item, "description", "title", "message")),
    culprit: text(item.culprit),
    level: text(item.level),
    project: text(pick(item, "project_slug", "project.name")),
    transaction: text(item.transaction),
    spanId: text(Array.isArray(item.span) ? item.span[0] : pick(item, "span", "span_id")),
    timestamp: num(pick(item, "start_timestamp", "timestamp", "start")),
  };
}

const MAX_DEPTH = 256;

function spanNode(n: Json, depth: number): TraceSpan {
  const attrs = { ...obj(n.data), ...obj(n.tags), ...obj(n.additional_attributes) };
  const start = num(n.start_timestamp);
  const end = num(pick(n, "end_timestamp", "timestamp"));
  const duration =
    num(pick(n, "duration", "transaction.duration")) ??
    (start !== null && end !== null ? (end - start) * 1000 : null);
  return {
    spanId: text(n.span_id) ?? text(n.event_id),
    eventId: text(n.event_id),
    parentSpanId: text(n.parent_span_id),
    project: text(n.project_slug),
    op: text(pick(n, "op", "transaction.op")),
    description: str(pick(n, "description", "name")) ?? text(n.transaction),
    transaction: text(n.transaction),
    isTransaction:
      n.is_transaction === true || n.event_type === "transaction" || n["transaction.op"] !== undefined,
    start,
    end,
    durationMs: duration,
    status: text(pick(n, "status", "transaction.status")) ?? text(attrs.status),
    httpStatus: int(pick(attrs, "http.response.status_code", "http.status_code", "status_code")),
    profileId: text(n.profile_id),
    code:
      attrs["code.filepath"] !== undefined || attrs["code.function"] !== undefined
        ? {
            filepath: text(attrs["code.filepath"]),
            function: text(attrs["code.function"]),
            lineno: int(attrs["code.lineno"]),
          }
        : null,
    errors: arr(n.errors).filter(isObj).map(issueRef),
    occurrences: arr(pick(n, "occurrences", "performance_issues"))
      .filter(isObj)
      .map((o) => ({ ...issueRef(o), kind: "occurrence" as const })),
    // Deeply nested payloads are cut off rather than recursed into without end.
    children:
      depth >= MAX_DEPTH
        ? []
        : arr(n.children)
            .filter(isObj)
            .map((c) => spanNode(c, depth + 1)),
  };
}

/** Legacy `/events-trace/`: `{transactions, orphan_errors}`, or a bare list of transactions on very old servers. */
export function normalizeLegacyTrace(traceId: string, input: unknown): Trace {
  const body = obj(input);
  const transactions = Array.isArray(input) ? input : arr(body.transactions);
  return {
    traceId,
    roots: transactions.filter(isObj).map((t) => spanNode({ ...t, is_transaction: true }, 0)),
    orphanErrors: arr(body.orphan_errors).filter(isObj).map(issueRef),
    source: "events-trace",
  };
}
