import type { RunRecord } from "./types.ts";

/** A `runs` row as both stores read it, and the run header they build from it. */
export interface RunRow {
  id: string;
  org: string;
  issue_id: string;
  short_id: string | null;
  title: string;
  project: string | null;
  status: RunRecord["status"];
  error: string | null;
  created_at: string;
  updated_at: string;
}

/** A run still "running" with no write for this long was left behind by a process that stopped. */
const INTERRUPTED_AFTER_MS = 10 * 60_000;

export function runHeader(r: RunRow, now: number) {
  const stale = r.status === "running" && now - Date.parse(r.updated_at) > INTERRUPTED_AFTER_MS;
  return {
    id: r.id,
    org: r.org,
    issue: { id: r.issue_id, shortId: r.short_id, title: r.title, project: r.project },
    status: stale ? ("interrupted" as const) : r.status,
    error: stale ? "interrupted: the process running this analysis stopped before it finished" : r.error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
