import type pg from "pg";
import { PROJECT_ANSWERS_MIGRATION } from "../answers.ts";

/**
 * The PostgreSQL schema, as numbered migrations applied in order on start. Each replica runs them under one
 * transaction-scoped advisory lock, so replicas starting together apply each migration once and the others
 * wait, then see it done. Migrations only add (tables, columns, indexes): replicas of the previous version
 * keep working while new ones roll out (docs/deploy.md).
 *
 * Timestamps are ISO-8601 UTC text, as in SQLite, compared as text: `COLLATE "C"` makes that byte order
 * whatever the database's locale. Payloads are `json`, which keeps the text (and key order) as written.
 */
export const PG_MIGRATIONS: string[] = [
  `CREATE TABLE runs (
     id TEXT PRIMARY KEY,
     org TEXT NOT NULL,
     issue_id TEXT NOT NULL,
     short_id TEXT,
     title TEXT NOT NULL,
     project TEXT,
     status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
     error TEXT,
     created_at TEXT COLLATE "C" NOT NULL,
     updated_at TEXT COLLATE "C" NOT NULL
   );
   CREATE INDEX runs_issue ON runs (issue_id, created_at);
   CREATE INDEX runs_short ON runs (short_id, created_at);
   CREATE INDEX runs_created ON runs (created_at);
   CREATE TABLE evidence (
     run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
     id TEXT NOT NULL,
     ord INTEGER NOT NULL,
     kind TEXT NOT NULL,
     summary TEXT NOT NULL,
     data JSON NOT NULL,
     PRIMARY KEY (run_id, id)
   );
   CREATE TABLE stages (
     run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
     stage TEXT NOT NULL,
     revision INTEGER NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('completed', 'stale')),
     output JSON NOT NULL,
     created_at TEXT COLLATE "C" NOT NULL,
     PRIMARY KEY (run_id, stage, revision)
   );
   CREATE TABLE feedback (
     run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
     seq INTEGER NOT NULL,
     kind TEXT NOT NULL,
     payload JSON NOT NULL,
     created_at TEXT COLLATE "C" NOT NULL,
     PRIMARY KEY (run_id, seq)
   );
   -- A delivery is taken once, whichever replica receives it: by its Request-ID, or its body's digest.
   CREATE TABLE deliveries (
     request_id TEXT PRIMARY KEY,
     resource TEXT NOT NULL,
     action TEXT,
     org TEXT,
     issue_id TEXT,
     received_at TEXT COLLATE "C" NOT NULL,
     outcome TEXT NOT NULL,
     body_digest TEXT UNIQUE
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
     next_at TEXT COLLATE "C" NOT NULL,
     lease_owner TEXT,
     lease_until TEXT COLLATE "C",
     last_error TEXT,
     reason TEXT,
     created_at TEXT COLLATE "C" NOT NULL,
     updated_at TEXT COLLATE "C" NOT NULL
   );
   CREATE INDEX jobs_ready ON jobs (next_at, created_at) WHERE state IN ('queued', 'running');
   CREATE INDEX jobs_issue ON jobs (issue_id, created_at);
   CREATE INDEX jobs_created ON jobs (created_at);
   -- The 24-hour per-issue dedupe: one row per issue names the job that holds it. A second alert upserts
   -- the row only when the holder is older than a day or dead, under the row's lock, so two replicas
   -- racing for one issue cannot both enqueue.
   CREATE TABLE issue_claims (
     org TEXT NOT NULL,
     issue_id TEXT NOT NULL,
     job_id TEXT NOT NULL,
     claimed_at TEXT COLLATE "C" NOT NULL,
     PRIMARY KEY (org, issue_id)
   );
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
     callback_token TEXT,
     created_at TEXT COLLATE "C" NOT NULL,
     updated_at TEXT COLLATE "C" NOT NULL
   );
   CREATE INDEX dispatches_run ON dispatches (run_id, created_at);
   CREATE INDEX dispatches_external ON dispatches (type, external_id);
   CREATE INDEX dispatches_org ON dispatches (org, created_at);
   -- The per-organisation hourly limit: a run takes a slot (once) before it dispatches.
   CREATE TABLE dispatch_slots (
     run_id TEXT PRIMARY KEY,
     org TEXT NOT NULL,
     taken_at TEXT COLLATE "C" NOT NULL
   );
   CREATE INDEX dispatch_slots_org ON dispatch_slots (org, taken_at);
   -- A webhook's whole enqueue in one round trip (it is the hot path): record the delivery unless it was
   -- seen, claim the issue unless another job holds it, enqueue the job.
   CREATE FUNCTION autofix_enqueue(p_request_id TEXT, p_resource TEXT, p_action TEXT, p_org TEXT,
       p_issue_id TEXT, p_short_id TEXT, p_digest TEXT, p_job_id TEXT, p_now TEXT, p_since TEXT)
     RETURNS TABLE (out_kind TEXT, out_job TEXT) LANGUAGE plpgsql AS $fn$
   #variable_conflict use_column
   DECLARE
     n INTEGER;
     holder TEXT;
   BEGIN
     INSERT INTO deliveries (request_id, resource, action, org, issue_id, received_at, outcome, body_digest)
       VALUES (p_request_id, p_resource, p_action, p_org, p_issue_id, p_now, 'queued', p_digest)
       ON CONFLICT DO NOTHING;
     GET DIAGNOSTICS n = ROW_COUNT;
     IF n = 0 THEN
       RETURN QUERY SELECT 'duplicate_delivery'::TEXT, NULL::TEXT;
       RETURN;
     END IF;
     INSERT INTO issue_claims AS c (org, issue_id, job_id, claimed_at) VALUES (p_org, p_issue_id, p_job_id, p_now)
       ON CONFLICT (org, issue_id) DO UPDATE SET job_id = EXCLUDED.job_id, claimed_at = EXCLUDED.claimed_at
       WHERE c.claimed_at <= p_since OR EXISTS (SELECT 1 FROM jobs j WHERE j.id = c.job_id AND j.state = 'dead');
     GET DIAGNOSTICS n = ROW_COUNT;
     IF n = 0 THEN
       SELECT ic.job_id INTO holder FROM issue_claims ic WHERE ic.org = p_org AND ic.issue_id = p_issue_id;
       UPDATE deliveries SET outcome = 'duplicate_issue' WHERE request_id = p_request_id;
       RETURN QUERY SELECT 'duplicate_issue'::TEXT, holder;
       RETURN;
     END IF;
     INSERT INTO jobs (id, org, issue_id, short_id, source, state, step, next_at, created_at, updated_at)
       VALUES (p_job_id, p_org, p_issue_id, p_short_id, p_resource || '.' || COALESCE(p_action, ''), 'queued',
               'gate', p_now, p_now, p_now);
     RETURN QUERY SELECT 'queued'::TEXT, p_job_id;
   END
   $fn$;`,
  // 2: which repository serves a project, as a person answered when asked (store/answers.ts).
  PROJECT_ANSWERS_MIGRATION,
];

/** pg_advisory_xact_lock key for migrations: "autofix" in ASCII. */
const MIGRATION_LOCK = "27432215686572408";

/**
 * Applies the missing migrations and returns the schema version. Refuses a database written by a newer
 * autofix-mcp, as the SQLite store does.
 */
export async function migrate(client: pg.PoolClient, migrations = PG_MIGRATIONS): Promise<number> {
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1::bigint)", [MIGRATION_LOCK]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS autofix_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`,
    );
    const { rows } = await client.query<{ v: number }>(
      "SELECT COALESCE(MAX(version), 0)::int AS v FROM autofix_migrations",
    );
    const current = rows[0]?.v ?? 0;
    if (current > migrations.length) {
      const error = new Error(
        `the run database was written by a newer autofix-mcp (schema ${current}, this one knows ${migrations.length}).`,
      );
      (error as Error & { code: string }).code = "AUTOFIX_SCHEMA_NEWER";
      throw error;
    }
    for (let v = current; v < migrations.length; v++) {
      await client.query(migrations[v]!);
      await client.query("INSERT INTO autofix_migrations (version, applied_at) VALUES ($1, $2)", [
        v + 1,
        new Date().toISOString(),
      ]);
    }
    await client.query("COMMIT");
    return migrations.length;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}
