import { AppError } from "../errors.ts";
import type { SentryClient } from "./client.ts";
import { enc } from "./client.ts";
import { arr, int, isObj, isoTime, obj, str, text } from "./lenient.ts";

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

export const LOG_FIELDS = ["sentry.item_id", "timestamp", "message", "severity", "project", "trace"];
const datasetOf = new WeakMap<SentryClient, "logs" | "ourlogs">();

/** One page of log rows, newest first, and whether more exist. */
export async function fetchLogs(
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
export async function countLogsBySeverity(
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
