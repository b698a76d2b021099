import type Database from "better-sqlite3";
import type { PgBridge } from "./pg-bridge.ts";

/**
 * What people answered when a stage asked them (MCP elicitation) and that outlives the run: which repository
 * serves a Sentry project nothing else connects. Kept per organisation and project; `autofix-mcp
 * --forget-repo PROJECT` removes it, and then the next analysis asks again. Both backends hold the same rows.
 */

export interface ProjectRepositoryAnswer {
  org: string;
  project: string;
  /** A local checkout's absolute path (kind path), or a repository name: configured, or GitHub owner/name. */
  repository: string;
  kind: "path" | "name";
  answeredAt: string;
}

export interface ProjectAnswers {
  get(org: string, project: string): ProjectRepositoryAnswer | null;
  /** Replaces any earlier answer for the project. */
  remember(answer: Omit<ProjectRepositoryAnswer, "answeredAt">): void;
  /** Forgets the project's answer (in one organisation, or in all); returns how many were forgotten. */
  forget(project: string, org?: string): number;
}

const TABLE = `CREATE TABLE project_repositories (
     org TEXT NOT NULL,
     project TEXT NOT NULL,
     repository TEXT NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('path', 'name')),
     answered_at TEXT NOT NULL,
     PRIMARY KEY (org, project)
   );`;

/** The migration that adds the table, the same text for SQLite and PostgreSQL. */
export const PROJECT_ANSWERS_MIGRATION = TABLE;

interface Row {
  org: string;
  project: string;
  repository: string;
  kind: "path" | "name";
  answered_at: string;
}

const fromRow = (r: Row): ProjectRepositoryAnswer => ({
  org: r.org,
  project: r.project,
  repository: r.repository,
  kind: r.kind,
  answeredAt: r.answered_at,
});

export class SqliteProjectAnswers implements ProjectAnswers {
  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number,
  ) {}

  get(org: string, project: string): ProjectRepositoryAnswer | null {
    const row = this.db
      .prepare("SELECT * FROM project_repositories WHERE org = ? AND project = ?")
      .get(org, project) as Row | undefined;
    return row ? fromRow(row) : null;
  }

  remember(a: Omit<ProjectRepositoryAnswer, "answeredAt">): void {
    this.db
      .prepare(
        `INSERT INTO project_repositories (org, project, repository, kind, answered_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (org, project) DO UPDATE SET repository = excluded.repository, kind = excluded.kind,
           answered_at = excluded.answered_at`,
      )
      .run(a.org, a.project, a.repository, a.kind, new Date(this.now()).toISOString());
  }

  forget(project: string, org?: string): number {
    const result =
      org === undefined
        ? this.db.prepare("DELETE FROM project_repositories WHERE project = ?").run(project)
        : this.db.prepare("DELETE FROM project_repositories WHERE org = ? AND project = ?").run(org, project);
    return result.changes;
  }
}

export class PgProjectAnswers implements ProjectAnswers {
  constructor(
    private readonly db: PgBridge,
    private readonly now: () => number,
  ) {}

  get(org: string, project: string): ProjectRepositoryAnswer | null {
    const row = this.db.one<Row>("SELECT * FROM project_repositories WHERE org = $1 AND project = $2", [
      org,
      project,
    ]);
    return row ? fromRow(row) : null;
  }

  remember(a: Omit<ProjectRepositoryAnswer, "answeredAt">): void {
    this.db.query(
      `INSERT INTO project_repositories (org, project, repository, kind, answered_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (org, project) DO UPDATE SET repository = excluded.repository, kind = excluded.kind,
         answered_at = excluded.answered_at`,
      [a.org, a.project, a.repository, a.kind, new Date(this.now()).toISOString()],
    );
  }

  forget(project: string, org?: string): number {
    return org === undefined
      ? this.db.query("DELETE FROM project_repositories WHERE project = $1", [project]).rowCount
      : this.db.query("DELETE FROM project_repositories WHERE org = $1 AND project = $2", [org, project])
          .rowCount;
  }
}
