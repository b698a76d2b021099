import type { Dispatch, Job, JobState, JobStep } from "./queue-types.ts";

/** Rows of the jobs and dispatches tables (the same columns in SQLite and PostgreSQL) as records. */

export interface JobRow {
  id: string;
  org: string;
  issue_id: string;
  short_id: string | null;
  source: string;
  state: JobState;
  step: JobStep;
  run_id: string | null;
  attempts: number;
  next_at: string;
  lease_owner: string | null;
  lease_until: string | null;
  last_error: string | null;
  reason: string | null;
  created_at: string;
  updated_at: string;
}

export function job(r: JobRow): Job {
  return {
    id: r.id,
    org: r.org,
    issueId: r.issue_id,
    shortId: r.short_id,
    source: r.source,
    state: r.state,
    step: r.step,
    runId: r.run_id,
    attempts: r.attempts,
    nextAt: r.next_at,
    leaseOwner: r.lease_owner,
    leaseUntil: r.lease_until,
    lastError: r.last_error,
    reason: r.reason,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export interface DispatchRow {
  id: string;
  run_id: string;
  job_id: string | null;
  org: string | null;
  target: string;
  type: string;
  repository: string | null;
  external_id: string | null;
  status: string;
  url: string | null;
  pr_url: string | null;
  summary: string | null;
  callback_token: string | null;
  created_at: string;
  updated_at: string;
}

export function dispatch(r: DispatchRow): Dispatch {
  return {
    id: r.id,
    runId: r.run_id,
    jobId: r.job_id,
    org: r.org,
    target: r.target,
    type: r.type,
    repository: r.repository,
    externalId: r.external_id,
    status: r.status,
    url: r.url,
    prUrl: r.pr_url,
    summary: r.summary,
    callbackToken: r.callback_token,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
