import type { RepoRef } from "../code/frame-files.ts";
import type { CodeHost, CommitDiff, CommitInfo } from "../code/types.ts";
import type { StageContext } from "../context.ts";

/** A connected repository as the root-cause stage reads it: its host, the revision analysed, its files. */
export interface RepoState {
  name: string;
  host: CodeHost;
  ref: RepoRef;
  files: string[];
  /** Commits in the regression window (before the issue was first seen), newest first, with their files. */
  window: CommitInfo[];
}

/** Cached reads of files and commit diffs, shared by the analysis. */
export class CodeReader {
  private readonly files = new Map<string, Promise<string | null>>();
  private readonly diffs = new Map<string, Promise<CommitDiff | null>>();
  private stopped = false;

  constructor(
    private readonly repos: Map<string, RepoState>,
    private readonly logger: StageContext["logger"],
    private readonly signal?: AbortSignal,
    /** Where a read cut short by the call's deadline is reported, once. */
    private readonly problems: string[] = [],
  ) {}

  read(repo: string, path: string): Promise<string | null> {
    const key = `${repo}\u0000${path}`;
    let pending = this.files.get(key);
    if (!pending) {
      const state = this.repos.get(repo);
      pending = state
        ? state.host.readFile(path, state.ref.sha ?? state.ref.ref, this.signal).catch((error) => {
            this.noteStop(error);
            return null;
          })
        : Promise.resolve(null);
      this.files.set(key, pending);
    }
    return pending;
  }

  /** Every file of the connected repository at the analysed revision. */
  listFiles(repo: string): readonly string[] {
    return this.repos.get(repo)?.files ?? [];
  }

  diff(repo: string, sha: string): Promise<CommitDiff | null> {
    const key = `${repo}\u0000${sha}`;
    let pending = this.diffs.get(key);
    if (!pending) {
      const state = this.repos.get(repo);
      pending = state
        ? state.host.diff(sha, this.signal).catch((error) => {
            if (!this.noteStop(error)) this.logger.warn("commit diff unavailable", { repo, sha, error });
            return null;
          })
        : Promise.resolve(null);
      this.diffs.set(key, pending);
    }
    return pending;
  }

  /** True when the read failed because the call ran out of time (or was cancelled). */
  private noteStop(error: unknown): boolean {
    if (!this.signal?.aborted) return false;
    if (!this.stopped) {
      this.stopped = true;
      this.problems.push(`code: some files and commits were not read (${(error as Error).message})`);
    }
    return true;
  }
}
