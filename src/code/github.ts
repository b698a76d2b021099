import type { Octokit } from "@octokit/rest";
import { abortableSleep } from "../clock.ts";
import { deadlineReached } from "../deadline.ts";
import { AppError, duration, inputError } from "../errors.ts";
import { Hedger } from "../hedge.ts";
import type { Logger } from "../log.ts";
import { Expiring } from "./cache.ts";
import type { TreeIndex } from "./git-parse.ts";
import { BLAME_QUERY, type BlameResponse } from "./github-blame.ts";
import { githubError, isStatus } from "./github-errors.ts";
import { walkTree } from "./github-tree.ts";
import { MAX_FILE_BYTES } from "./local.ts";
import { safeRef, safeRepoPath, symlinkTarget } from "./paths.ts";
import type { BlameRange, CodeHost, CommitDiff, CommitInfo, FileStatus, LogOptions } from "./types.ts";

interface GitHubHostOptions {
  /** owner/name */
  repo: string;
  /** Name in this server's registry (the config's `name`). */
  name?: string;
  token: string | null;
  /** REST base, e.g. https://api.github.com or https://ghe.example.com/api/v3 (GraphQL is derived from it). */
  apiUrl: string;
  defaultBranch?: string;
  logger: Logger;
  timeoutMs?: number;
  /** Latencies and hedges, shared by the hosts of one server (they share GitHub, and its rate limit). */
  hedger?: Hedger;
  now?: () => number;
  /** How the pause before a retry waits (the fault tests skip it). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Branch heads move; a resolved branch is reused this long. SHAs are cached for good. */
const REF_TTL_MS = 60_000;
const FAILED_REF_TTL_MS = 15_000;

/** A repository on GitHub (or GitHub Enterprise) through @octokit/rest, with blame over GraphQL. */
export class GitHubHost implements CodeHost {
  readonly kind = "github" as const;
  readonly repoName: string;
  private readonly owner: string;
  private readonly name: string;
  private client: Promise<Octokit> | null = null;
  private readonly now: () => number;
  private branch: Promise<string> | null = null;
  private readonly refs: Expiring<string | null>;
  private readonly trees = new Map<string, Promise<TreeIndex>>();
  private readonly hedger: Hedger;
  /** The token's rate-limit budget as GitHub last reported it, less the requests sent since. */
  private rate: { remaining: number; limit: number } | null = null;

  constructor(private readonly options: GitHubHostOptions) {
    const [owner = "", name = ""] = options.repo.split("/");
    this.owner = owner;
    this.name = name;
    this.repoName = options.name ?? options.repo;
    this.now = options.now ?? Date.now;
    this.refs = new Expiring({
      ttlMs: (ref) => (/^[0-9a-f]{40}$/i.test(ref) ? Number.POSITIVE_INFINITY : REF_TTL_MS),
      failedTtlMs: FAILED_REF_TTL_MS,
      now: () => this.now(),
    });
    this.hedger = options.hedger ?? new Hedger();
  }

  /** Loaded on first use: @octokit/rest is ~20 modules that a server only talking stdio need not load to start. */
  private octokit(): Promise<Octokit> {
    const logger = this.options.logger;
    this.client ??= import("@octokit/rest").then(({ Octokit }) => {
      const octokit = new Octokit({
        ...(this.options.token ? { auth: this.options.token } : {}),
        baseUrl: this.options.apiUrl,
        userAgent: "autofix-mcp",
        // Octokit logs to the console by default; in stdio mode stdout belongs to the protocol.
        log: {
          debug: () => undefined,
          info: () => undefined,
          warn: (message: string) => logger.warn(message),
          error: (message: string) => logger.error(message),
        },
      });
      octokit.hook.before("request", () => {
        if (this.rate) this.rate.remaining--;
      });
      octokit.hook.after("request", (response) => this.noteRate(response.headers));
      octokit.hook.error("request", (error) => {
        this.noteRate((error as { response?: { headers?: Record<string, unknown> } }).response?.headers);
        throw error;
      });
      return octokit;
    });
    return this.client;
  }

  defaultBranch(signal?: AbortSignal): Promise<string> {
    if (this.options.defaultBranch) return Promise.resolve(this.options.defaultBranch);
    this.branch ??= this.call(signal, async (request) => {
      const { data } = await (await this.octokit()).rest.repos.get({
        owner: this.owner,
        repo: this.name,
        request,
      });
      return data.default_branch;
    }).catch((error) => {
      this.branch = null;
      throw error;
    });
    return this.branch;
  }

  async resolveRef(ref: string, signal?: AbortSignal): Promise<string | null> {
    const r = safeRef(ref);
    return this.refs.get(r, () =>
      this.call(signal, async (request) => {
        try {
          const { data } = await (await this.octokit()).request("GET /repos/{owner}/{repo}/commits/{ref}", {
            owner: this.owner,
            repo: this.name,
            ref: r,
            headers: { accept: "application/vnd.github.sha" },
            request,
          });
          const text = String(data).trim();
          return /^[0-9a-f]{40}$/i.test(text) ? text : null;
        } catch (error) {
          // 404: no such ref; 422: "No commit found for SHA".
          if (isStatus(error, 404, 422)) return null;
          throw error;
        }
      }),
    );
  }

  async listFiles(ref?: string, signal?: AbortSignal): Promise<string[]> {
    return [...(await this.tree(ref, signal)).keys()];
  }

  async readFile(path: string, ref?: string, signal?: AbortSignal): Promise<string | null> {
    const p = safeRepoPath(path);
    const at = ref ?? (await this.defaultBranch(signal));
    return this.call(signal, async (request) => {
      let data: unknown;
      try {
        ({ data } = await (await this.octokit()).rest.repos.getContent({
          owner: this.owner,
          repo: this.name,
          path: p,
          ref: at,
          request,
        }));
      } catch (error) {
        if (isStatus(error, 404)) return null;
        throw error;
      }
      if (Array.isArray(data)) return null;
      const item = data as {
        type?: string;
        encoding?: string;
        content?: string;
        size?: number;
        sha?: string;
        target?: string;
      };
      if (item.type === "symlink") {
        // GitHub serves an in-repo file target itself; what is left is a directory or a target outside.
        if (symlinkTarget(p, item.target ?? "/") === null) {
          throw inputError(`${p} is a symlink that leads outside the repository; it is not read.`);
        }
        return null;
      }
      if (item.type !== "file") return null;
      if ((item.size ?? 0) > MAX_FILE_BYTES) throw inputError(`${p} is larger than 2 MiB; it is not read.`);
      if (item.encoding === "base64") return Buffer.from(item.content ?? "", "base64").toString("utf8");
      // Files over 1 MB come back with encoding "none" and no content; the blob API still serves them.
      const blob = await (await this.octokit()).rest.git.getBlob({
        owner: this.owner,
        repo: this.name,
        file_sha: item.sha ?? "",
        request,
      });
      return Buffer.from(blob.data.content, "base64").toString("utf8");
    });
  }

  async log(path: string, options: LogOptions, signal?: AbortSignal): Promise<CommitInfo[]> {
    const p = path === "" || path === "." ? undefined : safeRepoPath(path);
    const sha = options.ref ? safeRef(options.ref) : undefined;
    const limit = Math.min(Math.max(options.limit ?? 20, 1), 100);
    return this.call(signal, async (request) => {
      const { data } = await (await this.octokit()).rest.repos.listCommits({
        owner: this.owner,
        repo: this.name,
        ...(p ? { path: p } : {}),
        ...(sha ? { sha } : {}),
        ...(options.since ? { since: new Date(options.since).toISOString() } : {}),
        per_page: limit,
        request,
      });
      return data.slice(0, limit).map((c) => ({
        sha: c.sha,
        subject: firstLine(c.commit.message),
        author: c.commit.author?.name ?? c.author?.login ?? "",
        email: c.commit.author?.email ?? "",
        date: c.commit.author?.date ?? "",
      }));
    });
  }

  async blame(path: string, ref?: string, signal?: AbortSignal): Promise<BlameRange[]> {
    const p = safeRepoPath(path);
    const expression = ref ? safeRef(ref) : await this.defaultBranch(signal);
    // GraphQL is a POST: it is not hedged, as no POST is.
    const hedge = false;
    const result = await this.call(
      signal,
      async (request) => {
        try {
          return await (await this.octokit()).graphql<BlameResponse>(BLAME_QUERY, {
            owner: this.owner,
            name: this.name,
            expression,
            path: p,
            request,
          });
        } catch (error) {
          // GraphQL reports a missing file or commit as errors next to partial data, with HTTP 200.
          if ((error as Error).name === "GraphqlResponseError")
            return (error as { data: BlameResponse }).data;
          throw error;
        }
      },
      hedge,
    );
    const ranges = result?.repository?.object?.blame?.ranges;
    if (!ranges) throw inputError(`cannot blame ${p} at ${expression}: no such file or commit.`);
    return ranges.map((r) => ({
      startLine: r.startingLine,
      endLine: r.endingLine,
      sha: r.commit.oid,
      author: r.commit.author?.name ?? "",
      date: r.commit.author?.date ?? r.commit.authoredDate ?? "",
      subject: r.commit.messageHeadline ?? "",
    }));
  }

  async diff(sha: string, signal?: AbortSignal): Promise<CommitDiff> {
    const ref = safeRef(sha);
    return this.call(signal, async (request) => {
      let data: Awaited<ReturnType<Octokit["rest"]["repos"]["getCommit"]>>["data"];
      try {
        ({ data } = await (await this.octokit()).rest.repos.getCommit({
          owner: this.owner,
          repo: this.name,
          ref,
          request,
        }));
      } catch (error) {
        if (isStatus(error, 404, 422)) throw inputError(`${this.repoName} has no commit "${sha}".`);
        throw error;
      }
      return {
        sha: data.sha,
        subject: firstLine(data.commit.message),
        author: data.commit.author?.name ?? "",
        date: data.commit.author?.date ?? "",
        files: (data.files ?? []).map((f) => ({
          path: f.filename,
          status: fileStatus(f.status),
          ...(f.previous_filename ? { previousPath: f.previous_filename } : {}),
          patch: f.patch ?? null,
        })),
      };
    });
  }

  /** File lists are cached per commit: a branch name resolves to its head first. */
  private async tree(ref: string | undefined, signal?: AbortSignal): Promise<TreeIndex> {
    const at = ref ?? (await this.defaultBranch(signal));
    const sha = await this.resolveRef(at, signal);
    if (!sha) throw inputError(`${this.repoName} has no branch, tag or commit "${at}".`);
    let tree = this.trees.get(sha);
    if (!tree) {
      tree = this.fetchTree(sha, signal);
      tree.catch(() => this.trees.delete(sha));
      this.trees.set(sha, tree);
    }
    return tree;
  }

  private fetchTree(sha: string, signal?: AbortSignal): Promise<TreeIndex> {
    return walkTree(
      sha,
      (tree_sha, recursive) =>
        this.call(signal, async (request) =>
          (await this.octokit()).rest.git.getTree({
            owner: this.owner,
            repo: this.name,
            tree_sha,
            ...(recursive ? { recursive: "1" } : {}),
            request,
          }),
        ).then((r) => r.data),
      this.options.logger.child({ repo: this.repoName }),
    );
  }

  /**
   * One request with a timeout, a second copy when a read is slower than usual, one retry on a 5xx or a
   * dropped connection, the caller's deadline, and errors mapped once.
   */
  private async call<T>(
    signal: AbortSignal | undefined,
    fn: (request: { signal: AbortSignal }) => Promise<T>,
    hedge = true,
  ): Promise<T> {
    const timeout = this.options.timeoutMs ?? 15_000;
    const once = (copy: AbortSignal) => fn({ signal: AbortSignal.any([copy, AbortSignal.timeout(timeout)]) });
    for (let attempt = 1; ; attempt++) {
      try {
        return await (hedge
          ? this.hedger.race(
              once,
              signal,
              () => this.hasRoomForHedge(),
              () => this.options.logger.debug("GitHub request slow, sending a second copy"),
            )
          : once(signal ?? new AbortController().signal));
      } catch (error) {
        const reached = deadlineReached(signal);
        if (reached) {
          this.options.logger.warn("GitHub request stopped at the call's deadline", { repo: this.repoName });
          throw new AppError(
            "upstream",
            `GitHub did not answer for ${this.options.repo} within this call's ${duration(reached.deadlineMs)} deadline.`,
            { service: "GitHub", hint: "GitHub is slow right now; call again in a minute.", cause: reached },
          );
        }
        if (signal?.aborted || error instanceof AppError) throw error;
        const status = (error as { status?: unknown }).status;
        const transient =
          typeof status !== "number" || status === 500 || status === 502 || status === 503 || status === 504;
        if (attempt < 2 && transient && !isStatus(error, 403, 429)) {
          // A deadline that passes during the pause ends the call like one that passes mid-request.
          await (this.options.sleep ?? abortableSleep)(250, signal).catch(() => undefined);
          continue;
        }
        throw githubError(error, this.options.repo, Boolean(this.options.token), this.now());
      }
    }
  }

  private noteRate(headers: Record<string, unknown> | undefined): void {
    const remaining = Number(headers?.["x-ratelimit-remaining"]);
    const limit = Number(headers?.["x-ratelimit-limit"]);
    if (Number.isFinite(remaining) && Number.isFinite(limit)) this.rate = { remaining, limit };
  }

  /** A hedge spends the token's hourly budget too: only while a tenth of it (at least 10) is spare. */
  private hasRoomForHedge(): boolean {
    return this.rate === null || this.rate.remaining > Math.max(10, this.rate.limit / 10);
  }
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? "";
}

function fileStatus(status: string | undefined): FileStatus {
  switch (status) {
    case "added":
    case "removed":
    case "modified":
    case "renamed":
    case "copied":
      return status;
    default:
      return "changed";
  }
}
