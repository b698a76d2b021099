/**
 * The job queue's interface and records. SQLite implements it in one process (queue.ts); PostgreSQL for
 * any number of replicas (pg-queue.ts). Every state change of a claimed job is fenced by its lease owner.
 */

export type JobState = "queued" | "running" | "done" | "skipped" | "dead";
export type JobStep = "gate" | "root_cause" | "solution" | "dispatch" | "track" | "done";

export interface Job {
  id: string;
  org: string;
  issueId: string;
  shortId: string | null;
  source: string;
  state: JobState;
  step: JobStep;
  runId: string | null;
  attempts: number;
  nextAt: string;
  leaseOwner: string | null;
  leaseUntil: string | null;
  lastError: string | null;
  reason: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Dispatch {
  id: string;
  runId: string;
  jobId: string | null;
  org: string | null;
  target: string;
  type: string;
  repository: string | null;
  externalId: string | null;
  status: string;
  url: string | null;
  prUrl: string | null;
  summary: string | null;
  /** The secret the agent's status callbacks must carry (`?token=` on the callback URL); null before v3. */
  callbackToken: string | null;
  createdAt: string;
  updatedAt: string;
}

export type EnqueueOutcome =
  | { kind: "queued"; jobId: string }
  | { kind: "duplicate_delivery" }
  | { kind: "duplicate_issue"; jobId: string };

export interface NewDelivery {
  requestId: string;
  resource: string;
  action: string | null;
  org: string;
  issueId: string;
  shortId: string | null;
  /** SHA-256 of the signed body: the same body again is a replay, whatever its Request-ID. */
  bodyDigest?: string | null;
}

/** A dispatch as it is first recorded: what the agent answers (status, URLs) comes later. */
export type NewDispatch = Pick<Dispatch, "id" | "runId" | "jobId" | "org" | "target" | "type" | "repository">;

export interface DispatchPatch {
  externalId?: string | null;
  status?: string;
  url?: string | null;
  prUrl?: string | null;
  summary?: string | null;
}

export interface JobQueue {
  /** Called after a dispatch of a run is created or updated. */
  changed: (runId: string) => void;
  /** Records a delivery and enqueues its job atomically, unless either was seen before. */
  enqueue(input: NewDelivery): EnqueueOutcome;
  /** Claims the next ready job (queued, or running with an expired lease) for `owner`. */
  claim(owner: string, leaseMs: number): Job | null;
  /** Ends the leases of owners known to be gone, so their jobs resume at once. */
  releaseLeases(isGone: (owner: string) => boolean): number;
  /** Extends the lease; false when the job is no longer ours. */
  heartbeat(id: string, owner: string, leaseMs: number): boolean;
  advance(id: string, owner: string, step: JobStep, runId?: string): boolean;
  later(id: string, owner: string, delayMs: number, reason?: string | null): boolean;
  finish(id: string, owner: string, state: "done" | "skipped", reason?: string | null): boolean;
  wake(id: string): boolean;
  /** Puts a dead job back in the queue, due now, with its attempts reset (the operator page's "retry"). */
  retry(id: string): boolean;
  fail(id: string, owner: string, error: string, maxAttempts: number): JobState | null;
  get(id: string): Job | null;
  list(filter?: { issueId?: string; limit?: number }): Job[];
  depth(): Record<JobState, number>;
  /** Dispatches created for an organisation within the last hour (the per-organisation rate limit). */
  recentDispatches(org: string): number;
  /**
   * Whether the run may dispatch under the per-organisation hourly limit. A run that already dispatched
   * (or holds a slot) may always go on; PostgreSQL takes the slot atomically across replicas.
   */
  takeDispatchSlot(org: string, runId: string, perHour: number): boolean;
  /** Records a dispatch before the upstream call (status "sending"); an existing record is returned as is. */
  beginDispatch(d: NewDispatch): Dispatch;
  updateDispatch(id: string, patch: DispatchPatch): void;
  dispatch(id: string): Dispatch | null;
  dispatchByExternal(type: string, externalId: string): Dispatch | null;
  dispatchesOf(runId: string): Dispatch[];
}
