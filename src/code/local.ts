import { readFile, readlink, realpath } from "node:fs/promises";
import { join, sep } from "node:path";
import { inputError } from "../errors.ts";
import { Lru } from "./cache.ts";
import { git, gitOk } from "./git.ts";
import {
  LOG_FORMAT,
  parseBlamePorcelain,
  parseLog,
  parseLsFiles,
  parseLsTree,
  parseNameStatus,
  splitPatches,
  type TreeEntry,
  type TreeIndex,
} from "./git-parse.ts";
import { isSha, safeRef, safeRepoPath, symlinkTarget } from "./paths.ts";
import type { BlameRange, CodeHost, CommitDiff, CommitInfo, LogOptions } from "./types.ts";

/** Files larger than this are refused: nothing a stage reads (source, rules) is legitimately bigger. */
export const MAX_FILE_BYTES = 2 * 1024 * 1024;
const WORKTREE = ":worktree";
/** The working tree changes under us; its file list is reused only briefly. */
const WORKTREE_TTL_MS = 5_000;
const MAX_SYMLINK_HOPS = 8;

interface LocalHostOptions {
  defaultBranch?: string;
  now?: () => number;
}

/** A local git checkout: reads the working tree (tracked files only) or any commit. */
export class LocalGitHost implements CodeHost {
  readonly kind = "local" as const;
  private readonly indexes = new Map<string, { at: number; index: Promise<TreeIndex> }>();
  private readonly shas = new Map<string, { at: number; sha: string }>();
  /**
   * Answers about a commit SHA never change, and every git call is a process spawn: diffs, logs, blame
   * and blobs at a SHA are kept (most recent 500), so repeated analyses of an incident spawn git once.
   */
  private readonly immutable = new Lru<Promise<unknown>>(500);
  private readonly now: () => number;

  constructor(
    readonly repoName: string,
    readonly root: string,
    private readonly options: LocalHostOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  async defaultBranch(signal?: AbortSignal): Promise<string> {
    if (this.options.defaultBranch) return this.options.defaultBranch;
    const remote = await git(
      this.root,
      ["symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"],
      signal,
    );
    if (remote.ok && remote.stdout.trim()) return remote.stdout.trim().replace(/^origin\//, "");
    const head = await git(this.root, ["symbolic-ref", "--quiet", "--short", "HEAD"], signal);
    return head.ok && head.stdout.trim() ? head.stdout.trim() : "HEAD";
  }

  async resolveRef(ref: string, signal?: AbortSignal): Promise<string | null> {
    const r = safeRef(ref);
    // A full SHA names one commit forever; names move, so they are resolved again after a few seconds.
    const cached = this.shas.get(r);
    if (cached && (/^[0-9a-f]{40}$/i.test(r) || this.now() - cached.at < WORKTREE_TTL_MS)) return cached.sha;
    const result = await git(
      this.root,
      ["rev-parse", "--verify", "--quiet", "--end-of-options", `${r}^{commit}`],
      signal,
    );
    const sha = result.ok ? result.stdout.trim() || null : null;
    if (sha) this.shas.set(r, { at: this.now(), sha });
    return sha;
  }

  async listFiles(ref?: string, signal?: AbortSignal): Promise<string[]> {
    return [...(await this.index(ref, signal)).keys()];
  }

  async readFile(path: string, ref?: string, signal?: AbortSignal): Promise<string | null> {
    let p = safeRepoPath(path);
    const index = await this.index(ref, signal);
    for (let hop = 0; hop <= MAX_SYMLINK_HOPS; hop++) {
      const entry = index.get(p);
      if (!entry) return null;
      if (entry.mode !== "120000") {
        return ref === undefined ? this.readWorktree(p) : this.readBlob(entry, p, signal);
      }
      const target =
        ref === undefined
          ? await readlink(join(this.root, p)).catch(() => null)
          : await gitOk(this.root, ["cat-file", "blob", entry.object], signal);
      if (target === null) return null;
      const next = symlinkTarget(p, target);
      if (next === null)
        throw inputError(`${p} is a symlink that leads outside the repository; it is not read.`);
      p = next;
    }
    throw inputError(`${path} is a chain of more than ${MAX_SYMLINK_HOPS} symlinks.`);
  }

  async log(path: string, options: LogOptions, signal?: AbortSignal): Promise<CommitInfo[]> {
    const p = path === "" || path === "." ? "." : safeRepoPath(path);
    const limit = Math.min(Math.max(options.limit ?? 20, 1), 200);
    const rev = options.ref
      ? await this.requireRef(options.ref, signal)
      : ((await this.resolveRef("HEAD", signal)) ?? "HEAD");
    const args = ["log", "--no-ext-diff", LOG_FORMAT, "--name-only", "-n", String(limit)];
    if (options.since) args.push(`--since=${new Date(options.since).toISOString()}`);
    const run = async () => {
      const result = await git(this.root, [...args, rev, "--", p], signal);
      // An unborn branch or a path the history never had: no commits, not an error.
      return result.ok ? parseLog(result.stdout) : [];
    };
    return rev === "HEAD" ? run() : this.once(["log", ...args, rev, p].join("\0"), run);
  }

  async blame(path: string, ref?: string, signal?: AbortSignal): Promise<BlameRange[]> {
    const p = safeRepoPath(path);
    const rev = ref === undefined ? [] : [await this.requireRef(ref, signal)];
    const run = async () => {
      const result = await git(this.root, ["blame", "--porcelain", ...rev, "--", p], signal);
      if (!result.ok) throw inputError(`cannot blame ${p}${ref ? ` at ${ref}` : ""}: no such file.`);
      return parseBlamePorcelain(result.stdout);
    };
    return rev.length === 0 ? run() : this.once(`blame\0${rev[0]}\0${p}`, run);
  }

  async diff(sha: string, signal?: AbortSignal): Promise<CommitDiff> {
    const commit = await this.requireRef(sha, signal);
    return this.once(`diff\0${commit}`, () => this.readDiff(commit, signal));
  }

  private async readDiff(commit: string, signal?: AbortSignal): Promise<CommitDiff> {
    const [head, names, patch] = await Promise.all([
      gitOk(this.root, ["show", "-s", "--format=%H%x1f%s%x1f%an%x1f%aI", commit], signal),
      gitOk(
        this.root,
        ["diff-tree", "-r", "-z", "-M", "--root", "--no-commit-id", "--name-status", commit],
        signal,
      ),
      gitOk(
        this.root,
        ["show", "--format=", "-M", "--no-ext-diff", "--no-textconv", "--patch", "--root", commit],
        signal,
      ),
    ]);
    const [full = commit, subject = "", author = "", date = ""] = head.trim().split("\x1f");
    const patches = splitPatches(patch);
    const files = parseNameStatus(names).map((f, i) => ({ ...f, patch: capPatch(patches[i] ?? null) }));
    return { sha: full, subject, author, date, files };
  }

  private async requireRef(ref: string, signal?: AbortSignal): Promise<string> {
    const sha = await this.resolveRef(ref, signal);
    if (!sha) throw inputError(`${this.repoName} has no branch, tag or commit "${ref}".`);
    return sha;
  }

  /**
   * Tree listings are cached per commit SHA, which never changes; a branch or tag name is re-resolved after
   * a few seconds, like the working tree, because both move under a live checkout.
   */
  private async index(ref: string | undefined, signal?: AbortSignal): Promise<TreeIndex> {
    const key = ref === undefined ? WORKTREE : await this.sha(ref, signal);
    const cached = this.indexes.get(key);
    if (cached && (key !== WORKTREE || this.now() - cached.at < WORKTREE_TTL_MS)) return cached.index;
    const index =
      key === WORKTREE
        ? gitOk(this.root, ["ls-files", "-s", "-z"], signal).then(parseLsFiles)
        : gitOk(this.root, ["ls-tree", "-r", "-z", "-l", "--full-tree", key], signal).then(parseLsTree);
    index.catch(() => this.indexes.delete(key));
    this.indexes.set(key, { at: this.now(), index });
    return index;
  }

  private async sha(ref: string, signal?: AbortSignal): Promise<string> {
    const cached = this.shas.get(ref);
    if (cached && (isSha(ref) || this.now() - cached.at < WORKTREE_TTL_MS)) return cached.sha;
    const sha = await this.requireRef(ref, signal);
    this.shas.set(ref, { at: this.now(), sha });
    return sha;
  }

  private async readBlob(entry: TreeEntry, p: string, signal?: AbortSignal): Promise<string> {
    const size =
      entry.size ?? Number((await gitOk(this.root, ["cat-file", "-s", entry.object], signal)).trim());
    if (size > MAX_FILE_BYTES) throw tooLarge(p);
    return this.once(`blob\0${entry.object}`, () =>
      gitOk(this.root, ["cat-file", "blob", entry.object], signal),
    );
  }

  /** The answer for an immutable key, computed once; a failure is not kept. */
  private once<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const hit = this.immutable.get(key);
    if (hit) return hit as Promise<T>;
    const value = compute();
    this.immutable.set(key, value);
    value.catch(() => this.immutable.delete(key));
    return value;
  }

  /** The working tree may differ from the index: a directory replaced by a symlink must not lead outside. */
  private async readWorktree(p: string): Promise<string | null> {
    let real: string;
    let root: string;
    try {
      [real, root] = await Promise.all([realpath(join(this.root, p)), realpath(this.root)]);
    } catch {
      return null;
    }
    if (!real.startsWith(root + sep))
      throw inputError(`${p} resolves outside the repository; it is not read.`);
    const buffer = await readFile(real);
    if (buffer.length > MAX_FILE_BYTES) throw tooLarge(p);
    return buffer.toString("utf8");
  }
}

function tooLarge(p: string) {
  return inputError(`${p} is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB; it is not read.`);
}

/** GitHub omits patches it considers too large; do the same so both hosts answer alike. */
function capPatch(patch: string | null): string | null {
  return patch !== null && patch.length > 100_000 ? null : patch;
}
