import type { Scenario } from "../../src/sandbox/scenario.ts";

/**
 * One incident of the root-cause corpus: what Sentry knows (served by the sandbox), the repositories behind
 * it (built as real git repositories by the test, history included), and the ground truth an engineer who
 * investigated it would write down.
 *
 * Commit SHAs are not known until the repositories are built, so Sentry data may reference them with
 * placeholders — `{{sha:<repo name>:<commit index>}}` (40 hex) and `{{short:<repo name>:<commit index>}}`
 * (12 hex) — which the harness replaces everywhere in `sentry` after building. Times are relative to
 * CORPUS_NOW so the data never ages.
 */
export const CORPUS_NOW = Date.parse("2026-11-28T12:00:00Z");

export interface RepoCommit {
  message: string;
  author: string;
  email: string;
  /** ISO time; the harness sets both author and committer dates to it. */
  date: string;
  /** Repo-relative path → new content; null deletes the file. The first commit holds the initial tree. */
  files: Record<string, string | null>;
}

export interface RepoSpec {
  /** owner/name, e.g. "acme/orders-api". */
  name: string;
  /** Sentry project slugs this repository serves. */
  projects: string[];
  /** false: the repository exists but is not connected to the server (not in the config). Default true. */
  connected?: boolean;
  /** Oldest first. */
  commits: RepoCommit[];
  defaultBranch?: string;
}

export interface Expected {
  verdict: "in_app" | "third_party" | "unknown";
  /** For in_app: where the fix belongs. */
  repo?: string;
  file?: string;
  function?: string;
  /** The commit that introduced the bug, when there is one (commit index in that repo). */
  introducedBy?: { repo: string; commit: number };
}

export interface CorpusScenario {
  name: string;
  /** One paragraph: what happened and how an engineer would find the cause. */
  story: string;
  /** Short ID of the issue to analyse. */
  issue: string;
  sentry: Scenario;
  repos: RepoSpec[];
  expected: Expected;
}
