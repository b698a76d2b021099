import type { ProjectAnswers } from "./answers.ts";

/**
 * The run store's interface. A run is one investigation of one issue: the evidence gathered (each piece with
 * a stable ID that causal-chain steps cite), each stage's output by revision, feedback, and timestamps.
 * SQLite implements it (sqlite.ts), and PostgreSQL for several replicas (postgres.ts).
 */

export type StageName = "root_cause" | "solution" | "handoff";
/** "interrupted" is derived on read: a run left "running" by a process that stopped. */
export type RunStatus = "running" | "completed" | "failed" | "interrupted";
export type StageStatus = "completed" | "stale";

export interface EvidenceRecord {
  /** Stable within a run: `frame:orders-api:0:4`, `span:998837d8ea5fff18`, `log:<item id>`, `commit:9f3c2a7e41b8` … */
  id: string;
  kind: string;
  /** One line a human can read. */
  summary: string;
  data: unknown;
}

export interface StageRecord {
  stage: StageName;
  revision: number;
  status: StageStatus;
  output: unknown;
  createdAt: string;
}

export interface FeedbackRecord {
  seq: number;
  kind: string;
  payload: unknown;
  createdAt: string;
}

export interface RunRecord {
  id: string;
  org: string;
  issue: { id: string; shortId: string | null; title: string; project: string | null };
  status: RunStatus;
  error: string | null;
  createdAt: string;
  updatedAt: string;
  evidence: EvidenceRecord[];
  /** The latest revision of each stage. */
  stages: Partial<Record<StageName, StageRecord>>;
  history: StageRecord[];
  feedback: FeedbackRecord[];
}

export interface RunSummary {
  id: string;
  issue: RunRecord["issue"];
  status: RunStatus;
  createdAt: string;
  updatedAt: string;
  stages: StageName[];
}

export interface NewRun {
  org: string;
  issue: RunRecord["issue"];
}

export interface RunStore {
  /** Called after a write to a run commits (subscriptions to `autofix://runs/{id}`). */
  changed: (runId: string) => void;
  /** Answers people gave that outlive a run: which repository serves a project (answers.ts). */
  readonly answers: ProjectAnswers;
  createRun(input: NewRun): RunRecord;
  /** Atomically replaces the run's evidence (when given) and appends the next revision of a stage. */
  completeStage(runId: string, stage: StageName, output: unknown, evidence?: EvidenceRecord[]): StageRecord;
  /** Marks the latest revision of a stage stale (its inputs changed). */
  markStale(runId: string, stage: StageName): void;
  failRun(runId: string, error: string): void;
  addFeedback(runId: string, kind: string, payload: unknown): FeedbackRecord;
  getRun(runId: string): RunRecord | null;
  listRuns(filter?: { issueId?: string; limit?: number }): RunSummary[];
  /** Runs `fn` in one transaction with any other store or queue writes it makes. */
  atomically<T>(fn: () => T): T;
  /** Integrity check of the underlying storage; returns problems found (empty when healthy). */
  check(): string[];
  close(): void;
}
