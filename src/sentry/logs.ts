import { AppError } from "../errors.ts";
import type { SentryClient } from "./client.ts";
import { arr, int, isObj, isoTime, obj, str, text } from "./lenient.ts";
import { enc } from "./paths.ts";

/**
 * Logs from `/organizations/{org}/events/?dataset=logs` (called `ourlogs` before Sentry accepted `logs`).
 * Rows are flat: every attribute is a column. Severity is `warn`, never `warning`.
 */

export interface LogRow {
  id: string | null;
  timestamp: string | null;
  message: string;
  severity: string;
  project: string | null;
  trace: string | null;
}

export interface LogQuery {
  query: string;
  start?: string;
  end?: string;
  statsPeriod?: string;
  perPage?: number;
}

const LOG_FIELDS = ["sentry.item_id", "timestamp", "message", "severity", "project", "trace"];
const datasetOf = new WeakMap<SentryClient, "logs" | "ourlogs">();

/** One page of log rows, newest first, and whether more exist. */
async function fetchLogs(
  sentry: SentryClient,
  org: string,
  q: LogQuery,
  signal?: AbortSignal,
): Promise<{ rows: LogRow[]; more: boolean }> {
  const res = await withDataset(sentry, (dataset) =>
    sentry.getJson(
      org,
      `/organizations/${enc(org)}/events/`,
      {
        dataset,
        field: LOG_FIELDS,
        query: q.query,
        sort: "-timestamp",
        per_page: q.perPage ?? 100,
        ...window(q),
        referrer: "autofix-mcp",
      },
      signal,
    ),
  );
  return { rows: arr(obj(res.body).data).filter(isObj).map(normalizeLogRow), more: res.next !== null };
}

/** Counts per severity for the same query (an aggregate query), so trimmed output can say what it left out. */
async function countLogsBySeverity(
  sentry: SentryClient,
  org: string,
  q: LogQuery,
  signal?: AbortSignal,
): Promise<Record<string, number>> {
  const res = await withDataset(sentry, (dataset) =>
    sentry.getJson(
      org,
      `/organizations/${enc(org)}/events/`,
      {
        dataset,
        field: ["severity", "count()"],
        query: q.query,
        sort: "-count()",
        per_page: 20,
        ...window(q),
        referrer: "autofix-mcp",
      },
      signal,
    ),
  );
  const out: Record<string, number> = {};
  for (const row of arr(obj(res.body).data).filter(isObj)) {
    const severity = normalizeSeverity(text(row.severity));
    const n = int(row["count()"]);
    if (n !== null) out[severity] = (out[severity] ?? 0) + n;
  }
  return out;
}

/**
 * How far around an event to read logs, by purpose. Someone reading a trace's logs wants both sides of the
 * error (an hour each way); without a trace, only the project's lines just before it can be related; an
 * analysis wants what led up to the error and the first minutes of its fallout.
 */
export const LOG_WINDOWS = {
  trace: { beforeMs: 3_600_000, afterMs: 3_600_000 },
  project: { beforeMs: 600_000, afterMs: 120_000 },
  analysis: { beforeMs: 3_600_000, afterMs: 600_000 },
} as const;

/** The window around an event's time (now, when the event has none) as a query's start and end. */
export function logsAround(
  eventTime: string | null,
  window: { beforeMs: number; afterMs: number },
  now = Date.now(),
): { start: string; end: string } {
  const t = (eventTime ? Date.parse(eventTime) : Number.NaN) || now;
  return {
    start: new Date(t - window.beforeMs).toISOString(),
    end: new Date(t + window.afterMs).toISOString(),
  };
}

interface KeptLogs {
  /** The newest rows, then the errors and warnings asked for separately (the same row may appear twice). */
  rows: LogRow[];
  more: boolean;
  /** Rows per severity in the whole result, when known. */
  counts: Record<string, number> | null;
}

/**
 * The newest rows of a query plus every error and warning in it, so that trimming to the newest never loses
 * them. `eager` asks for both at once (one round trip, for an analysis's critical path). Otherwise the
 * errors, and the totals per severity, are asked for only when the newest page was not everything.
 * `severities`: the query already filters by severity, so a second query would only repeat the first.
 */
export async function fetchLogsKeepingErrors(
  sentry: SentryClient,
  org: string,
  q: LogQuery,
  options: {
    eager?: boolean;
    severities?: boolean;
    signal?: AbortSignal;
    onCountError?: (error: unknown) => void;
  },
): Promise<KeptLogs> {
  const { signal } = options;
  const errorsOnly = { ...q, query: `${q.query} severity:[fatal,error,warn]`.trim() };
  if (options.eager) {
    const [all, important] = await Promise.all([
      fetchLogs(sentry, org, q, signal),
      fetchLogs(sentry, org, errorsOnly, signal),
    ]);
    return { rows: [...all.rows, ...important.rows], more: all.more || important.more, counts: null };
  }
  const page = await fetchLogs(sentry, org, q, signal);
  if (!page.more) return { rows: page.rows, more: false, counts: countRows(page.rows) };
  const [important, counts] = await Promise.all([
    options.severities ? null : fetchLogs(sentry, org, errorsOnly, signal),
    countLogsBySeverity(sentry, org, q, signal).catch((error) => {
      options.onCountError?.(error);
      return null;
    }),
  ]);
  return { rows: [...page.rows, ...(important?.rows ?? [])], more: true, counts };
}

function countRows(rows: LogRow[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const row of rows) out[row.severity] = (out[row.severity] ?? 0) + 1;
  return out;
}

function window(q: LogQuery): Record<string, string> {
  if (q.start && q.end) return { start: q.start, end: q.end };
  return { statsPeriod: q.statsPeriod ?? "14d" };
}

/** Tries `logs`, and on "invalid dataset" from an older Sentry, `ourlogs` — remembering which worked. */
async function withDataset<T>(
  sentry: SentryClient,
  run: (dataset: "logs" | "ourlogs") => Promise<T>,
): Promise<T> {
  const known = datasetOf.get(sentry);
  if (known) return run(known);
  try {
    const result = await run("logs");
    datasetOf.set(sentry, "logs");
    return result;
  } catch (error) {
    if (
      !(
        error instanceof AppError &&
        error.status === 400 &&
        /dataset/i.test(`${error.message} ${error.detail ?? ""}`)
      )
    )
      throw error;
    const result = await run("ourlogs");
    datasetOf.set(sentry, "ourlogs");
    return result;
  }
}

export function normalizeLogRow(input: unknown): LogRow {
  const row = obj(input);
  return {
    id: text(row["sentry.item_id"]) ?? text(row.id),
    timestamp: isoTime(row.timestamp),
    message: str(row.message) ?? "",
    severity: normalizeSeverity(text(row.severity) ?? text(row.level)),
    project: text(row.project) ?? text(row["project.name"]),
    trace: text(row.trace),
  };
}

export function normalizeSeverity(value: string | null): string {
  const v = (value ?? "info").toLowerCase();
  if (v === "warning") return "warn";
  if (v === "critical") return "fatal";
  if (v === "err") return "error";
  return v;
}
