import { randomBytes } from "node:crypto";
import { NotFoundError } from "../errors.ts";
import { PgProjectAnswers, type ProjectAnswers } from "./answers.ts";
import type { DatabaseHealth, PgBridge } from "./pg-bridge.ts";
import { type RunRow, runHeader } from "./run-rows.ts";
import type {
  EvidenceRecord,
  FeedbackRecord,
  NewRun,
  RunRecord,
  RunStore,
  RunSummary,
  StageName,
  StageRecord,
} from "./types.ts";

/**
 * Runs in PostgreSQL, shared by every replica: a run created on one is read, given feedback and handed off
 * on any other. The same semantics as the SQLite store (sqlite.ts) — all-or-nothing stage writes, revisions
 * per stage, "interrupted" derived on read — and every write tells the other replicas (NOTIFY, sent when
 * the write commits) so their subscribers to `autofix://runs/{id}` hear of it.
 */

export class PgRunStore implements RunStore {
  /** Called after a write to a run commits, on this replica and (through NOTIFY) on the others. */
  changed: (runId: string) => void = () => undefined;
  readonly answers: ProjectAnswers;

  constructor(
    readonly db: PgBridge,
    private readonly now: () => number = Date.now,
  ) {
    db.onRemoteChange = (runId) => this.changed(runId);
    this.answers = new PgProjectAnswers(db, now);
  }

  private stamp(): string {
    return new Date(this.now()).toISOString();
  }

  /** Writes `fn` in one transaction that also notifies the other replicas; tells this one after commit. */
  private write<T>(runId: string, fn: () => T): T {
    const result = this.db.tx(() => {
      const out = fn();
      this.db.notify(runId);
      return out;
    });
    this.changed(runId);
    return result;
  }

  createRun(input: NewRun): RunRecord {
    const id = `run_${this.stamp().slice(0, 10).replace(/-/g, "")}_${randomBytes(5).toString("hex")}`;
    const t = this.stamp();
    this.write(id, () =>
      this.db.query(
        "INSERT INTO runs (id, org, issue_id, short_id, title, project, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'running', $7, $7)",
        [id, input.org, input.issue.id, input.issue.shortId, input.issue.title, input.issue.project, t],
      ),
    );
    return this.getRun(id)!;
  }

  completeStage(runId: string, stage: StageName, output: unknown, evidence?: EvidenceRecord[]): StageRecord {
    const t = this.stamp();
    return this.write(runId, (): StageRecord => {
      this.lockRun(runId);
      if (evidence) {
        this.db.query("DELETE FROM evidence WHERE run_id = $1", [runId]);
        // One statement for all of them: a run holds hundreds of evidence items, each a round trip otherwise.
        if (evidence.length > 0)
          this.db.query(
            `INSERT INTO evidence (run_id, id, ord, kind, summary, data)
             SELECT $1, e.id, e.ord, e.kind, e.summary, COALESCE(e.data, 'null'::json)
             FROM json_to_recordset($2::json) AS e(id TEXT, ord INTEGER, kind TEXT, summary TEXT, data JSON)`,
            [
              runId,
              JSON.stringify(
                evidence.map((e, ord) => ({
                  id: e.id,
                  ord,
                  kind: e.kind,
                  // PostgreSQL text cannot hold NUL; JSON payloads keep it escaped.
                  summary: e.summary.replaceAll("\0", ""),
                  data: e.data ?? null,
                })),
              ),
            ],
          );
      }
      const row = this.db.one<{ r: number }>(
        "SELECT COALESCE(MAX(revision), 0)::int AS r FROM stages WHERE run_id = $1 AND stage = $2",
        [runId, stage],
      );
      const revision = (row?.r ?? 0) + 1;
      this.db.query(
        "INSERT INTO stages (run_id, stage, revision, status, output, created_at) VALUES ($1, $2, $3, 'completed', $4, $5)",
        [runId, stage, revision, JSON.stringify(output), t],
      );
      this.db.query("UPDATE runs SET status = 'completed', error = NULL, updated_at = $1 WHERE id = $2", [
        t,
        runId,
      ]);
      return { stage, revision, status: "completed", output, createdAt: t };
    });
  }

  markStale(runId: string, stage: StageName): void {
    this.write(runId, () =>
      this.db.query(
        "UPDATE stages SET status = 'stale' WHERE run_id = $1 AND stage = $2 AND revision = (SELECT MAX(revision) FROM stages WHERE run_id = $1 AND stage = $2)",
        [runId, stage],
      ),
    );
  }

  failRun(runId: string, error: string): void {
    // A run that already has a completed stage keeps it: the failure only concerns the latest attempt.
    this.write(runId, () =>
      this.db.query(
        "UPDATE runs SET status = CASE WHEN EXISTS (SELECT 1 FROM stages WHERE run_id = $1) THEN 'completed' ELSE 'failed' END, error = $2, updated_at = $3 WHERE id = $1",
        [runId, error.slice(0, 2000), this.stamp()],
      ),
    );
  }

  addFeedback(runId: string, kind: string, payload: unknown): FeedbackRecord {
    const t = this.stamp();
    return this.write(runId, (): FeedbackRecord => {
      this.lockRun(runId);
      const row = this.db.one<{ s: number }>(
        "SELECT COALESCE(MAX(seq), 0)::int AS s FROM feedback WHERE run_id = $1",
        [runId],
      );
      const seq = (row?.s ?? 0) + 1;
      this.db.query(
        "INSERT INTO feedback (run_id, seq, kind, payload, created_at) VALUES ($1, $2, $3, $4, $5)",
        [runId, seq, kind, JSON.stringify(payload), t],
      );
      this.db.query("UPDATE runs SET updated_at = $1 WHERE id = $2", [t, runId]);
      return { seq, kind, payload, createdAt: t };
    });
  }

  getRun(runId: string): RunRecord | null {
    // One round trip: the run with its evidence, stages and feedback as JSON arrays.
    const row = this.db.one<
      RunRow & { evidence: EvidenceRecord[]; history: StageRow[]; feedback: FeedbackRow[] }
    >(
      `SELECT r.*,
         COALESCE((SELECT json_agg(json_build_object('id', e.id, 'kind', e.kind, 'summary', e.summary, 'data', e.data) ORDER BY e.ord)
                   FROM evidence e WHERE e.run_id = r.id), '[]') AS evidence,
         COALESCE((SELECT json_agg(s.* ORDER BY s.created_at, s.stage, s.revision)
                   FROM stages s WHERE s.run_id = r.id), '[]') AS history,
         COALESCE((SELECT json_agg(f.* ORDER BY f.seq) FROM feedback f WHERE f.run_id = r.id), '[]') AS feedback
       FROM runs r WHERE r.id = $1`,
      [runId],
    );
    if (!row) return null;
    const history = row.history.map(
      (s): StageRecord => ({
        stage: s.stage,
        revision: s.revision,
        status: s.status,
        output: s.output,
        createdAt: s.created_at,
      }),
    );
    const stages: RunRecord["stages"] = {};
    for (const s of history) {
      const prev = stages[s.stage];
      if (!prev || prev.revision < s.revision) stages[s.stage] = s;
    }
    const feedback = row.feedback.map((f) => ({
      seq: f.seq,
      kind: f.kind,
      payload: f.payload,
      createdAt: f.created_at,
    }));
    return { ...runHeader(row, this.now()), evidence: row.evidence, stages, history, feedback };
  }

  listRuns(filter: { issueId?: string; limit?: number } = {}): RunSummary[] {
    const limit = Math.min(Math.max(filter.limit ?? 20, 1), 200);
    const stagesOf = "ARRAY(SELECT DISTINCT stage FROM stages s WHERE s.run_id = r.id) AS stage_names";
    const rows = (
      filter.issueId
        ? this.db.query<RunRow & { stage_names: StageName[] }>(
            `SELECT r.*, ${stagesOf} FROM runs r WHERE r.issue_id = $1 OR r.short_id = $2 ORDER BY r.created_at DESC LIMIT $3`,
            [filter.issueId, filter.issueId.toUpperCase(), limit],
          )
        : this.db.query<RunRow & { stage_names: StageName[] }>(
            `SELECT r.*, ${stagesOf} FROM runs r ORDER BY r.created_at DESC LIMIT $1`,
            [limit],
          )
    ).rows;
    return rows.map((r) => {
      const header = runHeader(r, this.now());
      return {
        id: header.id,
        issue: header.issue,
        status: header.status,
        createdAt: header.createdAt,
        updatedAt: header.updatedAt,
        stages: r.stage_names,
      };
    });
  }

  atomically<T>(fn: () => T): T {
    return this.db.tx(fn);
  }

  check(): string[] {
    const orphans = this.db.one<{ n: number }>(
      `SELECT ((SELECT COUNT(*) FROM evidence e WHERE NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = e.run_id))
             + (SELECT COUNT(*) FROM jobs j WHERE j.run_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = j.run_id)))::int AS n`,
    );
    return orphans && orphans.n > 0 ? [`${orphans.n} rows point at missing runs`] : [];
  }

  health(): Promise<DatabaseHealth> {
    return this.db.health();
  }

  close(): void {
    void this.db.close();
  }

  /** Takes the run's row lock (so concurrent revisions of one run queue up), or says it does not exist. */
  private lockRun(runId: string): void {
    if (!this.db.one("SELECT 1 FROM runs WHERE id = $1 FOR UPDATE", [runId])) {
      throw new NotFoundError(`run ${runId} does not exist.`, {
        hint: "Start one with analyze_root_cause; get_run lists recent runs.",
      });
    }
  }
}

interface StageRow {
  stage: StageName;
  revision: number;
  status: StageRecord["status"];
  output: unknown;
  created_at: string;
}

interface FeedbackRow {
  seq: number;
  kind: string;
  payload: unknown;
  created_at: string;
}
