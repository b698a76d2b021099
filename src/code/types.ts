/**
 * What the root-cause stage needs from a repository, whichever host serves it. Every path in and out is
 * repo-relative with `/` separators; refs are branch names, tags or commit SHAs.
 */

export interface CommitInfo {
  sha: string;
  subject: string;
  author: string;
  email: string;
  /** ISO 8601 author date. */
  date: string;
  /** Files the commit touched, when the host reports them cheaply (local git does; GitHub's list does not). */
  files?: string[];
}

export interface BlameRange {
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
  sha: string;
  author: string;
  date: string;
  subject: string;
}

export type FileStatus = "added" | "modified" | "removed" | "renamed" | "copied" | "changed";

export interface CommitDiff {
  sha: string;
  subject: string;
  author: string;
  date: string;
  files: Array<{ path: string; status: FileStatus; previousPath?: string; patch: string | null }>;
}

export interface LogOptions {
  ref?: string;
  /** ISO date: only commits after it. */
  since?: string;
  limit?: number;
}

export interface CodeHost {
  kind: "local" | "github";
  repoName: string;
  defaultBranch(signal?: AbortSignal): Promise<string>;
  /** The commit SHA a ref names, or null when the repository has no such ref. */
  resolveRef(ref: string, signal?: AbortSignal): Promise<string | null>;
  /** Tracked files at `ref` (default: the working tree for a checkout, the default branch on GitHub). */
  listFiles(ref?: string, signal?: AbortSignal): Promise<string[]>;
  /** A file's text, or null when it does not exist at that ref. Refuses paths that leave the repository. */
  readFile(path: string, ref?: string, signal?: AbortSignal): Promise<string | null>;
  log(path: string, options: LogOptions, signal?: AbortSignal): Promise<CommitInfo[]>;
  blame(path: string, ref?: string, signal?: AbortSignal): Promise<BlameRange[]>;
  diff(sha: string, signal?: AbortSignal): Promise<CommitDiff>;
}
