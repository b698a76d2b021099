import { randomBytes } from "node:crypto";
import type { PgBridge } from "./pg-bridge.ts";
import { type DispatchRow, dispatch, type JobRow, job } from "./queue-rows.ts";
import type {
  Dispatch,
  DispatchPatch,
  EnqueueOutcome,
  Job,
  JobQueue,
  JobState,
  JobStep,
  NewDelivery,
  NewDispatch,
} from "./queue-types.ts";

/**
 * The job queue in PostgreSQL, for several replicas on one database. What one process could keep true by
 * being alone is held by the database here:
 * - a delivery is taken once whichever replica receives it: the delivery's primary key (Request-ID) and a
 *   unique body digest, inserted with ON CONFLICT DO NOTHING;
 * - the 24-hour per-issue dedupe: one `issue_claims` row per issue, upserted only when its job is older
 *   than a day or dead — the row lock orders two replicas racing for one issue;
 * - a job is claimed by one worker: `SELECT … FOR UPDATE SKIP LOCKED` picks a ready row that no other
 *   claimer holds, so replicas claiming at once each get a different job instead of queueing on one row;
 * - the per-organisation hourly limit: a slot per run, counted and taken under an advisory lock per
 *   organisation;
 * - every write to a claimed job is fenced by its lease owner, and a lease that runs out (its replica died
 *   or stalled) makes the job claimable by any other.
 */

const ISSUE_COOLDOWN_MS = 24 * 3600_000;

export class PgJobQueue implements JobQueue {
  changed: (runId: string) => void = () => undefined;

  constructor(
    private readonly db: PgBridge,
    private readonly now: () => number = Date.now,
  ) {}

  private iso(offsetMs = 0): string {
    return new Date(this.now() + offsetMs).toISOString();
  }

  enqueue(input: NewDelivery): EnqueueOutcome {
    // autofix_enqueue (migrations/postgres.ts): delivery, issue claim and job in one statement.
    const row = this.db.one<{ out_kind: EnqueueOutcome["kind"]; out_job: string | null }>(
      "SELECT out_kind, out_job FROM autofix_enqueue($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
      [
        input.requestId,
        input.resource,
        input.action,
        input.org,
        input.issueId,
        input.shortId,
        input.bodyDigest ?? null,
        `job_${randomBytes(6).toString("hex")}`,
        this.iso(),
        this.iso(-ISSUE_COOLDOWN_MS),
      ],
    );
    if (!row || row.out_kind === "duplicate_delivery") return { kind: "duplicate_delivery" };
    return { kind: row.out_kind, jobId: row.out_job ?? "" };
  }

  claim(owner: string, leaseMs: number): Job | null {
    const t = this.iso();
    const row = this.db.one<JobRow>(
      `UPDATE jobs SET state = 'running', lease_owner = $1, lease_until = $2, attempts = attempts + 1, updated_at = $3
       WHERE id = (
         SELECT id FROM jobs
         WHERE state IN ('queued', 'running') AND next_at <= $3
           AND (state = 'queued' OR lease_until IS NULL OR lease_until < $3)
         ORDER BY next_at, created_at LIMIT 1
         FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [owner, this.iso(leaseMs), t],
    );
    return row ? job(row) : null;
  }

  releaseLeases(isGone: (owner: string) => boolean): number {
    const owners = this.db
      .query<{ lease_owner: string }>(
        "SELECT DISTINCT lease_owner FROM jobs WHERE state = 'running' AND lease_owner IS NOT NULL",
      )
      .rows.map((r) => r.lease_owner)
      .filter(isGone);
    if (owners.length === 0) return 0;
    return this.db.query(
      "UPDATE jobs SET lease_until = $1 WHERE state = 'running' AND lease_owner = ANY($2::text[])",
      [this.iso(-1), owners],
    ).rowCount;
  }

  heartbeat(id: string, owner: string, leaseMs: number): boolean {
    return this.fenced("lease_until = $3", id, owner, [this.iso(leaseMs)]);
  }

  advance(id: string, owner: string, step: JobStep, runId?: string): boolean {
    return this.fenced("step = $3, run_id = COALESCE($4, run_id), updated_at = $5", id, owner, [
      step,
      runId ?? null,
      this.iso(),
    ]);
  }

  later(id: string, owner: string, delayMs: number, reason: string | null = null): boolean {
    return this.fenced(
      "state = 'queued', attempts = GREATEST(attempts - 1, 0), next_at = $3, lease_owner = NULL, lease_until = NULL, reason = COALESCE($4, reason), updated_at = $5",
      id,
      owner,
      [this.iso(delayMs), reason, this.iso()],
    );
  }

  finish(id: string, owner: string, state: "done" | "skipped", reason: string | null = null): boolean {
    return this.fenced(
      "state = $3, step = 'done', reason = $4, lease_owner = NULL, lease_until = NULL, updated_at = $5",
      id,
      owner,
      [state, reason, this.iso()],
    );
  }

  wake(id: string): boolean {
    return (
      this.db.query("UPDATE jobs SET next_at = $1, updated_at = $1 WHERE id = $2 AND state = 'queued'", [
        this.iso(),
        id,
      ]).rowCount === 1
    );
  }

  retry(id: string): boolean {
    return (
      this.db.query(
        "UPDATE jobs SET state = 'queued', attempts = 0, next_at = $1, lease_owner = NULL, lease_until = NULL, updated_at = $1 WHERE id = $2 AND state = 'dead'",
        [this.iso(), id],
      ).rowCount === 1
    );
  }

  fail(id: string, owner: string, error: string, maxAttempts: number): JobState | null {
    // One statement decides and writes, so it cannot act on an attempt count another replica changed.
    const row = this.db.one<{ state: JobState }>(
      `UPDATE jobs SET
         state = CASE WHEN attempts >= $3 THEN 'dead' ELSE 'queued' END,
         next_at = CASE WHEN attempts >= $3 THEN $4::text
                   ELSE to_char(
                     ($4::text::timestamptz + make_interval(secs => LEAST(5 * power(2, attempts - 1), 600))) AT TIME ZONE 'UTC',
                     'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') END,
         last_error = $5, lease_owner = NULL, lease_until = NULL, updated_at = $4
       WHERE id = $1 AND lease_owner = $2 AND state = 'running'
       RETURNING state`,
      [id, owner, maxAttempts, this.iso(), error.slice(0, 2000)],
    );
    return row?.state ?? null;
  }

  get(id: string): Job | null {
    const row = this.db.one<JobRow>("SELECT * FROM jobs WHERE id = $1", [id]);
    return row ? job(row) : null;
  }

  list(filter: { issueId?: string; limit?: number } = {}): Job[] {
    const limit = Math.min(filter.limit ?? 20, 200);
    const rows = filter.issueId
      ? this.db.query<JobRow>(
          "SELECT * FROM jobs WHERE issue_id = $1 OR short_id = $2 ORDER BY created_at DESC LIMIT $3",
          [filter.issueId, filter.issueId.toUpperCase(), limit],
        ).rows
      : this.db.query<JobRow>("SELECT * FROM jobs ORDER BY created_at DESC LIMIT $1", [limit]).rows;
    return rows.map(job);
  }

  depth(): Record<JobState, number> {
    const out: Record<JobState, number> = { queued: 0, running: 0, done: 0, skipped: 0, dead: 0 };
    for (const r of this.db.query<{ state: JobState; n: number }>(
      "SELECT state, COUNT(*)::int AS n FROM jobs GROUP BY state",
    ).rows)
      out[r.state] = r.n;
    return out;
  }

  recentDispatches(org: string): number {
    return (
      this.db.one<{ n: number }>(
        "SELECT COUNT(*)::int AS n FROM dispatches WHERE org = $1 AND created_at > $2",
        [org, this.iso(-3600_000)],
      )?.n ?? 0
    );
  }

  takeDispatchSlot(org: string, runId: string, perHour: number): boolean {
    return this.db.tx(() => {
      this.db.query("SELECT pg_advisory_xact_lock(hashtext('autofix:dispatch-slots'), hashtext($1))", [org]);
      if (this.db.one("SELECT 1 FROM dispatch_slots WHERE run_id = $1", [runId])) return true;
      if (this.db.one("SELECT 1 FROM dispatches WHERE run_id = $1", [runId])) return true;
      const since = this.iso(-3600_000);
      const used = this.db.one<{ n: number }>(
        "SELECT COUNT(*)::int AS n FROM dispatch_slots WHERE org = $1 AND taken_at > $2",
        [org, since],
      );
      if ((used?.n ?? 0) >= perHour) return false;
      this.db.query("INSERT INTO dispatch_slots (run_id, org, taken_at) VALUES ($1, $2, $3)", [
        runId,
        org,
        this.iso(),
      ]);
      return true;
    });
  }

  beginDispatch(d: NewDispatch): Dispatch {
    const t = this.iso();
    // A dispatch's ID is its run, target and repository: two replicas beginning the same one get one row.
    this.db.tx(() => {
      this.db.query(
        "INSERT INTO dispatches (id, run_id, job_id, org, target, type, repository, status, callback_token, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'sending', $8, $9, $9) ON CONFLICT (id) DO NOTHING",
        [
          d.id,
          d.runId,
          d.jobId,
          d.org,
          d.target,
          d.type,
          d.repository,
          randomBytes(24).toString("base64url"),
          t,
        ],
      );
      this.db.notify(d.runId);
    });
    this.changed(d.runId);
    return this.dispatch(d.id)!;
  }

  updateDispatch(id: string, patch: DispatchPatch): void {
    const row = this.db.tx(() => {
      const updated = this.db.one<{ run_id: string }>(
        "UPDATE dispatches SET external_id = COALESCE($1, external_id), status = CASE WHEN status IN ('completed', 'failed') THEN status ELSE COALESCE($2, status) END, url = COALESCE($3, url), pr_url = COALESCE($4, pr_url), summary = COALESCE($5, summary), updated_at = $6 WHERE id = $7 RETURNING run_id",
        [
          patch.externalId ?? null,
          patch.status ?? null,
          patch.url ?? null,
          patch.prUrl ?? null,
          patch.summary ?? null,
          this.iso(),
          id,
        ],
      );
      if (updated) this.db.notify(updated.run_id);
      return updated;
    });
    if (row) this.changed(row.run_id);
  }

  dispatch(id: string): Dispatch | null {
    const row = this.db.one<DispatchRow>("SELECT * FROM dispatches WHERE id = $1", [id]);
    return row ? dispatch(row) : null;
  }

  dispatchByExternal(type: string, externalId: string): Dispatch | null {
    const row = this.db.one<DispatchRow>("SELECT * FROM dispatches WHERE type = $1 AND external_id = $2", [
      type,
      externalId,
    ]);
    return row ? dispatch(row) : null;
  }

  dispatchesOf(runId: string): Dispatch[] {
    return this.db
      .query<DispatchRow>("SELECT * FROM dispatches WHERE run_id = $1 ORDER BY created_at", [runId])
      .rows.map(dispatch);
  }

  /** An update of a claimed job that only its lease owner can make; `$1` is the job, `$2` the owner. */
  private fenced(set: string, id: string, owner: string, params: unknown[]): boolean {
    return (
      this.db.query(`UPDATE jobs SET ${set} WHERE id = $1 AND lease_owner = $2 AND state = 'running'`, [
        id,
        owner,
        ...params,
      ]).rowCount === 1
    );
  }
}
