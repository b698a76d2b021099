import type { LogRow } from "../sentry/logs.ts";

/**
 * Turning many log rows into a readable handful: identical lines collapse into one with a count, and when
 * there are too many, errors and warnings are kept before the rest. Output is chronological.
 */
export interface LogGroup {
  severity: string;
  project: string | null;
  message: string;
  trace: string | null;
  count: number;
  first: string | null;
  last: string | null;
}

const RANK: Record<string, number> = { fatal: 0, error: 1, warn: 2, info: 3, debug: 4, trace: 5 };
const IMPORTANT = new Set(["fatal", "error", "warn"]);

export function collapseLogs(rows: LogRow[]): LogGroup[] {
  const seen = new Set<string>();
  const groups = new Map<string, LogGroup>();
  // Sentry returns newest first; equal timestamps keep that order reversed, so the result reads forward in time.
  const sorted = rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => (a.row.timestamp ?? "").localeCompare(b.row.timestamp ?? "") || b.index - a.index);
  for (const { row } of sorted) {
    if (row.id) {
      if (seen.has(row.id)) continue;
      seen.add(row.id);
    }
    const key = `${row.severity}\u0000${row.project}\u0000${row.message}`;
    const group = groups.get(key);
    if (group) {
      group.count++;
      group.last = row.timestamp;
    } else {
      groups.set(key, {
        severity: row.severity,
        project: row.project,
        message: row.message,
        trace: row.trace,
        count: 1,
        first: row.timestamp,
        last: row.timestamp,
      });
    }
  }
  return [...groups.values()];
}

/** At most `limit` groups: errors/warnings first (most severe, then newest), then the newest of the rest; returned by time. */
export function trimLogs(groups: LogGroup[], limit: number): { kept: LogGroup[]; elided: LogGroup[] } {
  if (groups.length <= limit) return { kept: groups, elided: [] };
  const ranked = [...groups].sort((a, b) => {
    const ia = IMPORTANT.has(a.severity) ? 0 : 1;
    const ib = IMPORTANT.has(b.severity) ? 0 : 1;
    if (ia !== ib) return ia - ib;
    if (ia === 0 && a.severity !== b.severity) return (RANK[a.severity] ?? 9) - (RANK[b.severity] ?? 9);
    return (b.last ?? "").localeCompare(a.last ?? "");
  });
  const keep = new Set(ranked.slice(0, limit));
  return {
    kept: groups.filter((g) => keep.has(g)),
    elided: groups.filter((g) => !keep.has(g)),
  };
}
