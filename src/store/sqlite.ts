import { randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { configError, NotFoundError } from "../errors.ts";
import { PROJECT_ANSWERS_MIGRATION, type ProjectAnswers, SqliteProjectAnswers } from "./answers.ts";
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
 * Runs in SQLite (better-sqlite3, WAL). Every write that must be all-or-nothing runs in one transaction, so
 * a crash mid-analysis leaves a run "running" (reported as interrupted), never a half-written stage that
 * looks complete. Schema changes are numbered migrations tracked by `PRAGMA user_version`.
 */

const MIGRATIONS: string[] = [
  `CREATE TABLE runs (
     id TEXT PRIMARY KEY,
     org TEXT NOT NULL,
     issue_id TEXT NOT NULL,
     short_id TEXT,
     title TEXT NOT NULL,
     project TEXT,
     status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
     error TEXT,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE INDEX runs_issue ON runs (issue_id, created_at);
   CREATE TABLE evidence (
     run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
     id TEXT NOT NULL,
     kind TEXT NOT NULL,
     summary TEXT NOT NULL,
     data TEXT NOT NULL,
     PRIMARY KEY (run_id, id)
   );
   CREATE TABLE stages (
     run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
     stage TEXT NOT NULL,
     revision INTEGER NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('completed', 'stale')),
     output TEXT NOT NULL,
     created_at TEXT NOT NULL,
     PRIMARY KEY (run_id, stage, revision)
   );
   CREATE TABLE feedback (
     run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
     seq INTEGER NOT NULL,
     kind TEXT NOT NULL,
     payload TEXT NOT NULL,
     created_at TEXT NOT NULL,
     PRIMARY KEY (run_id, seq)
   );`,
  // 2: background handoff — webhook deliveries (dedupe), the durable job queue, and agent dispatches.
  `CREATE TABLE deliveries (
     request_id TEXT PRIMARY KEY,
     resource TEXT NOT NULL,
     action TEXT,
     org TEXT,
     issue_id TEXT,
     received_at TEXT NOT NULL,
     outcome TEXT NOT NULL
   );
   CREATE TABLE jobs (
     id TEXT PRIMARY KEY,
     org TEXT NOT NULL,
     issue_id TEXT NOT NULL,
     short_id TEXT,
     source TEXT NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'skipped', 'dead')),
     step TEXT NOT NULL,
     run_id TEXT,
     attempts INTEGER NOT NULL DEFAULT 0,
     next_at TEXT NOT NULL,
     lease_owner TEXT,
     lease_until TEXT,
     last_error TEXT,
     reason TEXT,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE INDEX jobs_ready ON jobs (state, next_at);
   CREATE INDEX jobs_issue ON jobs (org, issue_id, created_at);
   CREATE TABLE dispatches (
     id TEXT PRIMARY KEY,
     run_id TEXT NOT NULL,
     job_id TEXT,
     org TEXT,
     target TEXT NOT NULL,
     type TEXT NOT NULL,
     repository TEXT,
     external_id TEXT,
     status TEXT NOT NULL,
     url TEXT,
     pr_url TEXT,
     summary TEXT,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE INDEX dispatches_run ON dispatches (run_id);
   CREATE INDEX dispatches_external ON dispatches (type, external_id);`,
  // 3: each dispatch's own random callback token, so a callback can touch only the dispatch it was given.
  "ALTER TABLE dispatches ADD COLUMN callback_token TEXT;",
  // 4: Sentry signs only the body: a replayed body (new Request-ID, fresh timestamp) is known by its digest.
  `ALTER TABLE deliveries ADD COLUMN body_digest TEXT;
   CREATE INDEX deliveries_digest ON deliveries (body_digest);`,
  // 5: which repository serves a project, as a person answered when asked (answers.ts).
  PROJECT_ANSWERS_MIGRATION,
];

export class SqliteRunStore implements RunStore {
  readonly db: Database.Database;
  readonly answers: ProjectAnswers;
  /** Called after a write to a run commits (subscriptions to `autofix://runs/{id}`). */
  changed: (runId: string) => void = () => undefined;

  constructor(
    path: string,
    private readonly now: () => number = Date.now,
    extraMigrations: string[] = [],
  ) {
    if (path !== ":memory:") {
      try {
        // Runs hold evidence from Sentry events: only this user may read them (0700 directories, 0600 file;
        // SQLite gives the -wal and -shm files the database file's permissions).
        mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
        if (!existsSync(path)) closeSync(openSync(path, "wx", 0o600));
      } catch (error) {
        throw configError(
          `cannot create the directory for the run database ${path}: ${(error as Error).message}`,
          "Set AUTOFIX_DB to a writable path.",
        );
      }
    }
    try {
      this.db = new Database(path);
    } catch (error) {
      throw configError(
        `cannot open the run database ${path}: ${(error as Error).message}`,
        "Set AUTOFIX_DB to a writable path.",
      );
    }
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("foreign_keys = ON");
    this.db.pragma("busy_timeout = 5000");
    this.migrate([...MIGRATIONS, ...extraMigrations]);
    this.answers = new SqliteProjectAnswers(this.db, now);
  }

  private migrate(migrations: string[]): void {
    const current = this.db.pragma("user_version", { simple: true }) as number;
    if (current > migrations.length) {
      throw configError(
        `the run database was written by a newer autofix-mcp (schema ${current}, this one knows ${migrations.length}).`,
        "Upgrade autofix-mcp or point AUTOFIX_DB elsewhere.",
      );
    }
    for (let v = current; v < migrations.length; v++) {
      this.db
        .transaction(() => {
          this.db.exec(migrations[v]!);
          this.db.pragma(`user_version = ${v + 1}`);
        })
        .immediate();
    }
  }

  private stamp(): string {
    return new Date(this.now()).toISOString();
  }

  createRun(input: NewRun): RunRecord {
    const id = `run_${new Date(this.now()).toISOString().slice(0, 10).replace(/-/g, "")}_${randomBytes(5).toString("hex")}`;
    const t = this.stamp();
    this.db
      .prepare(
        "INSERT INTO runs (id, org, issue_id, short_id, title, project, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?)",
      )
      .run(id, input.org, input.issue.id, input.issue.shortId, input.issue.title, input.issue.project, t, t);
    this.changed(id);
    return this.getRun(id)!;
  }

  completeStage(runId: string, stage: StageName, output: unknown, evidence?: EvidenceRecord[]): StageRecord {
    const t = this.stamp();
    const write = this.db.transaction((): StageRecord => {
      this.requireRun(runId);
      if (evidence) {
        this.db.prepare("DELETE FROM evidence WHERE run_id = ?").run(runId);
        const insert = this.db.prepare(
          "INSERT INTO evidence (run_id, id, kind, summary, data) VALUES (?, ?, ?, ?, ?)",
        );
        for (const e of evidence) insert.run(runId, e.id, e.kind, e.summary, JSON.stringify(e.data ?? null));
      }
      const row = this.db
        .prepare("SELECT COALESCE(MAX(revision), 0) AS r FROM stages WHERE run_id = ? AND stage = ?")
        .get(runId, stage) as { r: number };
      const revision = row.r + 1;
      this.db
        .prepare(
          "INSERT INTO stages (run_id, stage, revision, status, output, created_at) VALUES (?, ?, ?, 'completed', ?, ?)",
        )
        .run(runId, stage, revision, JSON.stringify(output), t);
      this.db
        .prepare("UPDATE runs SET status = 'completed', error = NULL, updated_at = ? WHERE id = ?")
        .run(t, runId);
      return { stage, revision, status: "completed", output, createdAt: t };
    });
    const record = write.immediate();
    this.changed(runId);
    return record;
  }

  markStale(runId: string, stage: StageName): void {
    this.db
      .prepare(
        "UPDATE stages SET status = 'stale' WHERE run_id = ? AND stage = ? AND revision = (SELECT MAX(revision) FROM stages WHERE run_id = ? AND stage = ?)",
      )
      .run(runId, stage, runId, stage);
    this.changed(runId);
  }

  failRun(runId: string, error: string): void {
    // A run that already has a completed stage keeps it: the failure only concerns the latest attempt.
    this.db
      .prepare(
        "UPDATE runs SET status = CASE WHEN EXISTS (SELECT 1 FROM stages WHERE run_id = ?) THEN 'completed' ELSE 'failed' END, error = ?, updated_at = ? WHERE id = ?",
      )
      .run(runId, error.slice(0, 2000), this.stamp(), runId);
    this.changed(runId);
  }

  addFeedback(runId: string, kind: string, payload: unknown): FeedbackRecord {
    const t = this.stamp();
    const record = this.db
      .transaction((): FeedbackRecord => {
        this.requireRun(runId);
        const row = this.db
          .prepare("SELECT COALESCE(MAX(seq), 0) AS s FROM feedback WHERE run_id = ?")
          .get(runId) as { s: number };
        this.db
          .prepare("INSERT INTO feedback (run_id, seq, kind, payload, created_at) VALUES (?, ?, ?, ?, ?)")
          .run(runId, row.s + 1, kind, JSON.stringify(payload), t);
        this.db.prepare("UPDATE runs SET updated_at = ? WHERE id = ?").run(t, runId);
        return { seq: row.s + 1, kind, payload, createdAt: t };
      })
      .immediate();
    this.changed(runId);
    return record;
  }

  getRun(runId: string): RunRecord | null {
    const run = this.db.prepare("SELECT * FROM runs WHERE id = ?").get(runId) as RunRow | undefined;
    if (!run) return null;
    const evidence = (
      this.db
        .prepare("SELECT id, kind, summary, data FROM evidence WHERE run_id = ? ORDER BY rowid")
        .all(runId) as EvidenceRow[]
    ).map((e) => ({
      id: e.id,
      kind: e.kind,
      summary: e.summary,
      data: JSON.parse(e.data),
    }));
    const history = (
      this.db
        .prepare("SELECT * FROM stages WHERE run_id = ? ORDER BY created_at, stage, revision")
        .all(runId) as StageRow[]
    ).map(stageRecord);
    const stages: RunRecord["stages"] = {};
    for (const s of history) {
      const prev = stages[s.stage];
      if (!prev || prev.revision < s.revision) stages[s.stage] = s;
    }
    const feedback = (
      this.db.prepare("SELECT * FROM feedback WHERE run_id = ? ORDER BY seq").all(runId) as FeedbackRow[]
    ).map((f) => ({
      seq: f.seq,
      kind: f.kind,
      payload: JSON.parse(f.payload),
      createdAt: f.created_at,
    }));
    return { ...runHeader(run, this.now()), evidence, stages, history, feedback };
  }

  listRuns(filter: { issueId?: string; limit?: number } = {}): RunSummary[] {
    const limit = Math.min(Math.max(filter.limit ?? 20, 1), 200);
    const rows = (
      filter.issueId
        ? this.db
            .prepare("SELECT * FROM runs WHERE issue_id = ? OR short_id = ? ORDER BY created_at DESC LIMIT ?")
            .all(filter.issueId, filter.issueId.toUpperCase(), limit)
        : this.db.prepare("SELECT * FROM runs ORDER BY created_at DESC LIMIT ?").all(limit)
    ) as RunRow[];
    const stagesOf = this.db.prepare("SELECT DISTINCT stage FROM stages WHERE run_id = ?");
    return rows.map((r) => {
      const header = runHeader(r, this.now());
      return {
        id: header.id,
        issue: header.issue,
        status: header.status,
        createdAt: header.createdAt,
        updatedAt: header.updatedAt,
        stages: (stagesOf.all(r.id) as Array<{ stage: StageName }>).map((s) => s.stage),
      };
    });
  }

  atomically<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  check(): string[] {
    const problems = (this.db.pragma("integrity_check") as Array<{ integrity_check: string }>)
      .map((r) => r.integrity_check)
      .filter((r) => r !== "ok");
    const fk = this.db.pragma("foreign_key_check") as unknown[];
    if (fk.length > 0) problems.push(`${fk.length} rows point at missing runs`);
    return problems;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private requireRun(runId: string): void {
    if (!this.db.prepare("SELECT 1 FROM runs WHERE id = ?").get(runId)) {
      throw new NotFoundError(`run ${runId} does not exist.`, {
        hint: "Start one with analyze_root_cause; get_run lists recent runs.",
      });
    }
  }
}

interface EvidenceRow {
  id: string;
  kind: string;
  summary: string;
  data: string;
}

interface StageRow {
  stage: StageName;
  revision: number;
  status: StageRecord["status"];
  output: string;
  created_at: string;
}

type FeedbackRow = { seq: number; kind: string; payload: string; created_at: string };

function stageRecord(s: StageRow): StageRecord {
  return {
    stage: s.stage,
    revision: s.revision,
    status: s.status,
    output: JSON.parse(s.output),
    createdAt: s.created_at,
  };
}
