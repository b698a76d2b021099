import type { Json } from "./scenario.ts";

/**
 * Sentry API payloads in the shapes its endpoints return (camelCase events, entries, breadcrumbs), for the
 * sandbox's datasets: the bundled demo and the tests' scenarios build from the same pieces.
 */

export const SEC = 1000;
export const MIN = 60 * SEC;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

/** Float epoch seconds, as trace and span payloads carry them. */
export const secs = (ms: number): number => ms / 1000;

export function stacktrace(frames: Json[]): Json {
  return {
    frames,
    framesOmitted: null,
    registers: null,
    hasSystemFrames: frames.some((f) => f.inApp === false),
  };
}

export function exceptionValue(v: {
  type: string;
  value: string;
  module?: string | null;
  mechanism: Json;
  frames: Json[];
  rawFrames?: Json[];
}): Json {
  return {
    type: v.type,
    value: v.value,
    module: v.module ?? null,
    threadId: null,
    mechanism: v.mechanism,
    stacktrace: stacktrace(v.frames),
    rawStacktrace: v.rawFrames ? stacktrace(v.rawFrames) : null,
  };
}

export function exceptionEntry(values: Json[]): Json {
  const hasSystemFrames = values.some((v) => (v.stacktrace as Json | null)?.hasSystemFrames === true);
  return { type: "exception", data: { values, hasSystemFrames, excOmitted: null } };
}

export function breadcrumb(
  ms: number,
  type: string,
  category: string,
  message: string | null,
  data: Json | null = null,
  level = "info",
): Json {
  return { type, timestamp: new Date(ms).toISOString(), level, message, category, data, event_id: null };
}

export function requestEntry(r: {
  method: string | null;
  url: string;
  query?: Array<[string, string]>;
  headers: Array<[string, string]>;
  cookies?: Array<[string, string]>;
  data?: unknown;
  inferredContentType?: string | null;
}): Json {
  return {
    type: "request",
    data: {
      apiTarget: null,
      method: r.method,
      url: r.url,
      query: r.query ?? [],
      fragment: null,
      data: r.data ?? null,
      headers: r.headers,
      cookies: r.cookies ?? [],
      env: null,
      inferredContentType: r.inferredContentType ?? null,
    },
  };
}

export const eventTags = (tags: Record<string, string>): Json[] =>
  Object.entries(tags).map(([key, value]) => ({ key, value }));

/** Link an issue's events to each other, oldest first, as the details endpoint does. */
export function chainEvents(events: Json[]): Json[] {
  return events.map((e, i) => ({
    ...e,
    previousEventID: i > 0 ? String(events[i - 1]!.eventID) : null,
    nextEventID: i + 1 < events.length ? String(events[i + 1]!.eventID) : null,
  }));
}

export type LogSeverity = "trace" | "debug" | "info" | "warn" | "error" | "fatal";
const SEVERITY_NUMBER: Record<LogSeverity, number> = {
  trace: 1,
  debug: 5,
  info: 9,
  warn: 13,
  error: 17,
  fatal: 21,
};

export interface LogLine {
  ms: number;
  project: string;
  severity: LogSeverity;
  message: string;
  trace: string;
  span?: string;
  attrs?: Json;
}

/**
 * One flat log row as `/events/?dataset=logs` returns it: every attribute is a column, and the timestamp
 * keeps milliseconds with a +00:00 offset (ordering lines within a request depends on them).
 */
export function logRow(line: LogLine, itemId: string): Json {
  return {
    "sentry.item_id": itemId,
    timestamp: new Date(line.ms).toISOString().replace("Z", "+00:00"),
    message: line.message,
    severity: line.severity,
    severity_number: SEVERITY_NUMBER[line.severity],
    trace: line.trace,
    project: line.project,
    ...(line.span ? { span_id: line.span } : {}),
    ...(line.attrs ?? {}),
  };
}

export interface SpanNodeSpec {
  id: string;
  project: { id: number; slug: string };
  sdk: string;
  transaction: string;
  txId: string;
  op: string;
  description: string;
  start: number;
  end: number;
  isTransaction?: boolean;
  parent: string | null;
  status?: string;
  attributes?: Json;
  profileId?: string;
  children?: Json[];
  errors?: Json[];
  occurrences?: Json[];
}

/** A `/trace/{id}/` span node (current format). */
export function spanNode(s: SpanNodeSpec): Json {
  return {
    event_id: s.id,
    event_type: "span",
    transaction_id: s.txId,
    project_id: s.project.id,
    project_slug: s.project.slug,
    transaction: s.transaction,
    description: s.description,
    op: s.op,
    name: s.op,
    parent_span_id: s.parent,
    span_id: s.id,
    profile_id: s.profileId ?? "",
    profiler_id: "",
    sdk_name: s.sdk,
    is_transaction: s.isTransaction ?? false,
    start_timestamp: secs(s.start),
    end_timestamp: secs(s.end),
    duration: s.end - s.start,
    measurements: {},
    additional_attributes: { ...(s.status ? { status: s.status } : {}), ...(s.attributes ?? {}) },
    children: s.children ?? [],
    errors: s.errors ?? [],
    occurrences: s.occurrences ?? [],
  };
}
