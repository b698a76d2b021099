import { randomBytes } from "node:crypto";
import type Database from "better-sqlite3";
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

export type { Dispatch, EnqueueOutcome, Job, JobQueue, JobState, JobStep } from "./queue-types.ts";

/**
 * The durable job queue, in the run store's SQLite database. A webhook delivery is recorded and its job
 * enqueued in one transaction (a redelivery is recognised by its Request-ID; a second alert for the same
 * issue within a day by the issue). Workers claim a job with a lease; every state change is fenced by the
 * lease owner, so a worker whose lease expired (it crashed, or stalled) can no longer write. Failures retry
 * with backoff until the attempts run out, then the job is dead-lettered with its last error.
 */

const ISSUE_COOLDOWN_MS = 24 * 3600_000;

export class SqliteJobQueue implements JobQueue {
  /** Called after a dispatch of a run is created or updated. */
  changed: (runId: string) => void = () => undefined;

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number = Date.now,
  ) {}

  private iso(offsetMs = 0): string {
    return new Date(this.now() + offsetMs).toISOString();
  }

  /** Records a delivery and enqueues its job atomically, unless either was seen before. */
  enqueue(input: NewDelivery): EnqueueOutcome {
    return this.db
      .transaction((): EnqueueOutcome => {
        const t = this.iso();
        const seen = this.db
          .prepare("SELECT 1 FROM deliveries WHERE request_id = ? OR body_digest = ?")
          .get(input.requestId, input.bodyDigest ?? null);
        if (seen) return { kind: "duplicate_delivery" };
        const since = this.iso(-ISSUE_COOLDOWN_MS);
        const existing = this.db
          .prepare(
            "SELECT id FROM jobs WHERE org = ? AND issue_id = ? AND created_at > ? AND state != 'dead' ORDER BY created_at DESC LIMIT 1",
          )
          .get(input.org, input.issueId, since) as { id: string } | undefined;
        const outcome: EnqueueOutcome = existing
          ? { kind: "duplicate_issue", jobId: existing.id }
          : { kind: "queued", jobId: `job_${randomBytes(6).toString("hex")}` };
        this.db
          .prepare(
            "INSERT INTO deliveries (request_id, resource, action, org, issue_id, received_at, outcome, body_digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          )
          .run(
            input.requestId,
            input.resource,
            input.action,
            input.org,
            input.issueId,
            t,
            outcome.kind,
            input.bodyDigest ?? null,
          );
        if (outcome.kind === "queued") {
          this.db
            .prepare(
              "INSERT INTO jobs (id, org, issue_id, short_id, source, state, step, next_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'queued', 'gate', ?, ?, ?)",
            )
            .run(
              outcome.jobId,
              input.org,
              input.issueId,
              input.shortId,
              `${input.resource}.${input.action ?? ""}`,
              t,
              t,
              t,
            );
        }
        return outcome;
      })
      .immediate();
  }

  /** Claims the next ready job (queued, or running with an expired lease) for `owner`. */
  claim(owner: string, leaseMs: number): Job | null {
    return this.db
      .transaction((): Job | null => {
        const t = this.iso();
        const row = this.db
          .prepare(
            "SELECT * FROM jobs WHERE next_at <= ? AND (state = 'queued' OR (state = 'running' AND (lease_until IS NULL OR lease_until < ?))) ORDER BY next_at, created_at LIMIT 1",
          )
          .get(t, t) as JobRow | undefined;
        if (!row) return null;
        this.db
          .prepare(
            "UPDATE jobs SET state = 'running', lease_owner = ?, lease_until = ?, attempts = attempts + 1, updated_at = ? WHERE id = ?",
          )
          .run(owner, this.iso(leaseMs), t, row.id);
        return this.get(row.id);
      })
      .immediate();
  }

  /**
   * Ends the leases of owners that are known to be gone (a worker of this host whose process died), so their
   * jobs resume at once instead of when the lease would have run out.
   */
  releaseLeases(isGone: (owner: string) => boolean): number {
    const rows = this.db
      .prepare("SELECT id, lease_owner FROM jobs WHERE state = 'running' AND lease_owner IS NOT NULL")
      .all() as Array<{ id: string; lease_owner: string }>;
    let released = 0;
    for (const r of rows.filter((row) => isGone(row.lease_owner))) {
      released += this.db
        .prepare("UPDATE jobs SET lease_until = ? WHERE id = ? AND lease_owner = ?")
        .run(this.iso(-1), r.id, r.lease_owner).changes;
    }
    return released;
  }

  /** Extends the lease; false when the job is no longer ours (our lease expired and someone else took it). */
  heartbeat(id: string, owner: string, leaseMs: number): boolean {
    return (
      this.db
        .prepare("UPDATE jobs SET lease_until = ? WHERE id = ? AND lease_owner = ? AND state = 'running'")
        .run(this.iso(leaseMs), id, owner).changes === 1
    );
  }

  /** Moves a claimed job to its next step (and records the run it created). Fenced by the lease owner. */
  advance(id: string, owner: string, step: JobStep, runId?: string): boolean {
    return (
      this.db
        .prepare(
          "UPDATE jobs SET step = ?, run_id = COALESCE(?, run_id), updated_at = ? WHERE id = ? AND lease_owner = ? AND state = 'running'",
        )
        .run(step, runId ?? null, this.iso(), id, owner).changes === 1
    );
  }

  /** Puts a claimed job back to wait, without counting it as a failed attempt (tracking, rate limits). */
  later(id: string, owner: string, delayMs: number, reason: string | null = null): boolean {
    return (
      this.db
        .prepare(
          "UPDATE jobs SET state = 'queued', attempts = MAX(attempts - 1, 0), next_at = ?, lease_owner = NULL, lease_until = NULL, reason = COALESCE(?, reason), updated_at = ? WHERE id = ? AND lease_owner = ? AND state = 'running'",
        )
        .run(this.iso(delayMs), reason, this.iso(), id, owner).changes === 1
    );
  }

  finish(id: string, owner: string, state: "done" | "skipped", reason: string | null = null): boolean {
    return (
      this.db
        .prepare(
          "UPDATE jobs SET state = ?, step = 'done', reason = ?, lease_owner = NULL, lease_until = NULL, updated_at = ? WHERE id = ? AND lease_owner = ? AND state = 'running'",
        )
        .run(state, reason, this.iso(), id, owner).changes === 1
    );
  }

  /** Makes a waiting job due now (an agent reported back, so its tracking step need not wait for the poll). */
  wake(id: string): boolean {
    return (
      this.db
        .prepare("UPDATE jobs SET next_at = ?, updated_at = ? WHERE id = ? AND state = 'queued'")
        .run(this.iso(), this.iso(), id).changes === 1
    );
  }

  retry(id: string): boolean {
    const now = this.iso();
    return (
      this.db
        .prepare(
          "UPDATE jobs SET state = 'queued', attempts = 0, next_at = ?, lease_owner = NULL, lease_until = NULL, updated_at = ? WHERE id = ? AND state = 'dead'",
        )
        .run(now, now, id).changes === 1
    );
  }

  /** A failed attempt: retry with exponential backoff, or dead-letter after `maxAttempts`. */
  fail(id: string, owner: string, error: string, maxAttempts: number): JobState | null {
    const job = this.get(id);
    if (!job || job.leaseOwner !== owner || job.state !== "running") return null;
    const dead = job.attempts >= maxAttempts;
    const delay = Math.min(5_000 * 2 ** (job.attempts - 1), 10 * 60_000);
    this.db
      .prepare(
        "UPDATE jobs SET state = ?, next_at = ?, last_error = ?, lease_owner = NULL, lease_until = NULL, updated_at = ? WHERE id = ? AND lease_owner = ?",
      )
      .run(dead ? "dead" : "queued", this.iso(dead ? 0 : delay), error.slice(0, 2000), this.iso(), id, owner);
    return dead ? "dead" : "queued";
  }

  get(id: string): Job | null {
    const row = this.db.prepare("SELECT * FROM jobs WHERE id = ?").get(id) as JobRow | undefined;
    return row ? job(row) : null;
  }

  list(filter: { issueId?: string; limit?: number } = {}): Job[] {
    const limit = Math.min(filter.limit ?? 20, 200);
    const rows = filter.issueId
      ? this.db
          .prepare("SELECT * FROM jobs WHERE issue_id = ? OR short_id = ? ORDER BY created_at DESC LIMIT ?")
          .all(filter.issueId, filter.issueId.toUpperCase(), limit)
      : this.db.prepare("SELECT * FROM jobs ORDER BY created_at DESC LIMIT ?").all(limit);
    return (rows as JobRow[]).map(job);
  }

  depth(): Record<JobState, number> {
    const out: Record<JobState, number> = { queued: 0, running: 0, done: 0, skipped: 0, dead: 0 };
    for (const r of this.db.prepare("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state").all() as Array<{
      state: JobState;
      n: number;
    }>)
      out[r.state] = r.n;
    return out;
  }

  /** Dispatches created for an organisation within the last hour (the per-organisation rate limit). */
  recentDispatches(org: string): number {
    return (
      this.db
        .prepare("SELECT COUNT(*) AS n FROM dispatches WHERE org = ? AND created_at > ?")
        .get(org, this.iso(-3600_000)) as { n: number }
    ).n;
  }

  /**
   * One process, so the check is the count itself (as before PostgreSQL): jobs of this process that pass it
   * together may each dispatch.
   */
  takeDispatchSlot(org: string, runId: string, perHour: number): boolean {
    // The limit counts handoffs (runs), like PostgreSQL's slots: a fix across repositories is one handoff.
    const runs = (
      this.db
        .prepare("SELECT COUNT(DISTINCT run_id) AS n FROM dispatches WHERE org = ? AND created_at > ?")
        .get(org, this.iso(-3600_000)) as { n: number }
    ).n;
    return runs < perHour || this.dispatchesOf(runId).length > 0;
  }

  /** Records a dispatch before the upstream call (status "sending"); an existing record is returned as is. */
  beginDispatch(d: NewDispatch): Dispatch {
    const t = this.iso();
    this.db
      .prepare(
        "INSERT OR IGNORE INTO dispatches (id, run_id, job_id, org, target, type, repository, status, callback_token, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'sending', ?, ?, ?)",
      )
      .run(
        d.id,
        d.runId,
        d.jobId,
        d.org,
        d.target,
        d.type,
        d.repository,
        randomBytes(24).toString("base64url"),
        t,
        t,
      );
    this.changed(d.runId);
    return this.dispatch(d.id)!;
  }

  updateDispatch(id: string, patch: DispatchPatch): void {
    this.db
      .prepare(
        "UPDATE dispatches SET external_id = COALESCE(?, external_id), status = CASE WHEN status IN ('completed', 'failed') THEN status ELSE COALESCE(?, status) END, url = COALESCE(?, url), pr_url = COALESCE(?, pr_url), summary = COALESCE(?, summary), updated_at = ? WHERE id = ?",
      )
      .run(
        patch.externalId ?? null,
        patch.status ?? null,
        patch.url ?? null,
        patch.prUrl ?? null,
        patch.summary ?? null,
        this.iso(),
        id,
      );
    const runId = this.dispatch(id)?.runId;
    if (runId) this.changed(runId);
  }

  dispatch(id: string): Dispatch | null {
    const row = this.db.prepare("SELECT * FROM dispatches WHERE id = ?").get(id) as DispatchRow | undefined;
    return row ? dispatch(row) : null;
  }

  dispatchByExternal(type: string, externalId: string): Dispatch | null {
    const row = this.db
      .prepare("SELECT * FROM dispatches WHERE type = ? AND external_id = ?")
      .get(type, externalId) as DispatchRow | undefined;
    return row ? dispatch(row) : null;
  }

  dispatchesOf(runId: string): Dispatch[] {
    return (
      this.db
        .prepare("SELECT * FROM dispatches WHERE run_id = ? ORDER BY created_at")
        .all(runId) as DispatchRow[]
    ).map(dispatch);
  }
}
