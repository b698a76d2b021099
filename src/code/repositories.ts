import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Clock } from "../clock.ts";
import { isRepositoryAllowed } from "../config/allowlist.ts";
import type { RepositoryConfig } from "../config/file.ts";
import type { Config } from "../config.ts";
import { configError, inputError } from "../errors.ts";
import { Hedger } from "../hedge.ts";
import type { Logger } from "../log.ts";
import type { SentryClient } from "../sentry/client.ts";
import { type CodeMapping, fetchCodeMappings } from "../sentry/code-mappings.ts";
import { Expiring } from "./cache.ts";
import { GitHubHost } from "./github.ts";
import { LocalGitHost } from "./local.ts";
import type { CodeHost } from "./types.ts";

/**
 * Which repositories serve which Sentry projects. Sources, in order: the config file and `--repo`; in stdio
 * mode the working directory's checkout when nothing is configured; and Sentry's code mappings for projects
 * the config does not cover. `allowedRepositories` bounds all of them; without it, the model cannot name a
 * repository the operator or Sentry did not.
 */

export interface Repository {
  name: string;
  host: CodeHost;
  /** Sentry project slugs; empty means "any project" for a lone repository. */
  projects: string[];
  defaultBranch?: string;
  /** The directory the project lives in, inside a monorepo. */
  pathPrefix?: string;
  /** GitHub owner/name, when known: how Sentry's code mappings name it. */
  github?: string;
  source: "config" | "cwd" | "sentry" | "allowlist" | "answer";
}

export interface ProjectRepository {
  repo: Repository;
  /** Sentry's code mappings from this project to this repository (several stack roots are common). */
  mappings: CodeMapping[];
}

interface RegistryDeps {
  config: Config;
  sentry: SentryClient;
  logger: Logger;
  /** Time for the GitHub hosts' caches and retry pauses (the fault tests move it on instead of waiting). */
  clock?: Clock;
}

const MAPPINGS_TTL_MS = 5 * 60_000;
const FAILED_MAPPINGS_TTL_MS = 30_000;

export class RepositoryRegistry {
  private readonly configured: Repository[];
  private readonly discovered = new Map<string, Repository>();
  /** Project slug → the repository a person named for it when asked (code/answered.ts checks the answer). */
  private readonly answered = new Map<string, Repository>();
  /** Local checkouts people named, by real path: one host per checkout however many projects it serves. */
  private readonly answeredCheckouts = new Map<string, Repository>();
  private readonly mappings: Expiring<CodeMapping[]>;
  private readonly now: () => number;
  /** One view of GitHub's latencies for every GitHub repository: they share the upstream. */
  private readonly githubHedger: Hedger;

  constructor(private readonly deps: RegistryDeps) {
    this.now = deps.clock?.now ?? Date.now;
    this.githubHedger = new Hedger(deps.config.github.hedge);
    // A failure is remembered briefly, so one analysis (which maps several services) asks Sentry once.
    this.mappings = new Expiring({
      ttlMs: () => MAPPINGS_TTL_MS,
      failedTtlMs: FAILED_MAPPINGS_TTL_MS,
      now: () => this.now(),
    });
    this.configured = deps.config.repositories.map((r) => this.fromConfig(r));
    const cwd = deps.config.workingDirectory;
    if (this.configured.length === 0 && cwd) {
      const root = findGitRoot(cwd);
      if (root) {
        const github = originSlug(root) ?? undefined;
        const name = github ?? basename(root);
        const allowed = deps.config.allowedRepositories;
        if (!allowed || isRepositoryAllowed(allowed, name)) {
          this.configured.push({
            name,
            host: new LocalGitHost(name, root),
            projects: [],
            ...(github ? { github } : {}),
            source: "cwd",
          });
        }
      }
    }
  }

  all(): Repository[] {
    const known = [...this.configured, ...this.discovered.values()];
    for (const r of this.answered.values()) if (!known.includes(r)) known.push(r);
    return known;
  }

  /**
   * The repository that serves a project by a person's answer (null: none). It comes after the config's
   * own repositories for the project and before Sentry's code mappings. The caller has checked the answer.
   */
  answerFor(projectSlug: string, repo: Repository | null): void {
    if (repo) this.answered.set(projectSlug, repo);
    else this.answered.delete(projectSlug);
  }

  /** The Repository for a local checkout a person named (already checked: a git checkout the allowlist admits). */
  answeredCheckout(root: string): Repository {
    let repo = this.answeredCheckouts.get(root);
    if (!repo) {
      const github = originSlug(root) ?? undefined;
      const name = github ?? basename(root);
      repo = {
        name,
        host: new LocalGitHost(name, root),
        projects: [],
        ...(github ? { github } : {}),
        source: "answer",
      };
      this.answeredCheckouts.set(root, repo);
    }
    return repo;
  }

  byName(name: string): Repository | undefined {
    const n = name.trim().toLowerCase();
    const found = this.all().find((r) => r.name.toLowerCase() === n || r.github?.toLowerCase() === n);
    if (found) return found;
    const allowed = this.deps.config.allowedRepositories;
    if (allowed && /^[\w.-]+\/[\w.-]+$/.test(name.trim()) && isRepositoryAllowed(allowed, name.trim())) {
      return this.githubRepository(name.trim(), undefined, "allowlist");
    }
    return undefined;
  }

  /** The repository a tool call means: the one named, or the only one. */
  pick(name?: string): Repository {
    const all = this.all();
    const names = all.map((r) => r.name).join(", ");
    if (name) {
      const repo = this.byName(name);
      if (!repo) {
        throw inputError(
          `no repository "${name}" is available to this server.`,
          all.length > 0 ? `Use one of: ${names}.` : "Ask the operator to configure it.",
        );
      }
      return repo;
    }
    if (all.length === 1) return all[0]!;
    if (all.length === 0) {
      throw configError(
        "no repository is configured.",
        'Add "repositories" to the config file, pass --repo PATH, or start the server (stdio) inside a git checkout.',
      );
    }
    throw inputError(
      `${all.length} repositories are configured; say which one.`,
      `Pass repo: one of ${names}.`,
    );
  }

  /** Repositories configured for a Sentry project; a lone unscoped repository serves every project. */
  repositoriesFor(projectSlug: string): Repository[] {
    const explicit = this.all().filter((r) => r.projects.includes(projectSlug));
    if (explicit.length > 0) return explicit;
    return this.configured.filter((r) => r.projects.length === 0);
  }

  /**
   * Configured repositories for the project, with Sentry's code mappings to each; when the config does not
   * name the project, the repositories Sentry's code mappings point at (within the allowlist).
   */
  async forProject(
    org: string | null,
    projectSlug: string,
    signal?: AbortSignal,
  ): Promise<{ repositories: ProjectRepository[]; notes: string[] }> {
    const notes: string[] = [];
    let rows: CodeMapping[] = [];
    if (org) {
      try {
        rows = (await this.codeMappings(org, signal)).filter((m) => m.projectSlug === projectSlug);
      } catch (error) {
        this.deps.logger.info("code mappings unavailable", { org, error });
        notes.push("Sentry's code mappings could not be read; matching frames by path only.");
      }
    }
    const matches = (r: Repository, m: CodeMapping) =>
      [r.name, r.github].some((n) => n?.toLowerCase() === m.repoName.toLowerCase());
    const explicit = this.all().filter((r) => r.projects.includes(projectSlug));
    if (explicit.length > 0) {
      const repositories = explicit.map((repo) => ({ repo, mappings: rows.filter((m) => matches(repo, m)) }));
      return { repositories, notes };
    }
    const answered = this.answered.get(projectSlug);
    if (answered)
      return {
        repositories: [{ repo: answered, mappings: rows.filter((m) => matches(answered, m)) }],
        notes,
      };
    const out: ProjectRepository[] = [];
    for (const mapping of rows) {
      const listed = out.find((o) => matches(o.repo, mapping));
      if (listed) {
        listed.mappings.push(mapping);
        continue;
      }
      const known = this.all().find((r) => matches(r, mapping));
      if (known) {
        out.push({ repo: known, mappings: [mapping] });
        continue;
      }
      const allowed = this.deps.config.allowedRepositories;
      if (allowed && !isRepositoryAllowed(allowed, mapping.repoName)) {
        notes.push(
          `Sentry maps ${projectSlug} to ${mapping.repoName}, which allowedRepositories does not include.`,
        );
        continue;
      }
      if (mapping.provider && !/github/i.test(mapping.provider)) {
        notes.push(
          `Sentry maps ${projectSlug} to ${mapping.repoName} on ${mapping.provider}, which this server cannot read.`,
        );
        continue;
      }
      const repo = this.githubRepository(mapping.repoName, mapping.defaultBranch ?? undefined, "sentry");
      out.push({ repo, mappings: [mapping] });
    }
    if (out.length === 0) {
      for (const repo of this.repositoriesFor(projectSlug)) out.push({ repo, mappings: [] });
    }
    if (out.length === 0)
      notes.push(`No repository is configured or mapped in Sentry for project ${projectSlug}.`);
    return { repositories: out, notes };
  }

  /** Sentry's code mappings for the organisation, cached for a few minutes; callers may prefetch them. */
  codeMappings(org: string, signal?: AbortSignal): Promise<CodeMapping[]> {
    return this.mappings.get(org, () => fetchCodeMappings(this.deps.sentry, org, signal));
  }

  private githubRepository(
    repo: string,
    defaultBranch: string | undefined,
    source: Repository["source"],
  ): Repository {
    const key = repo.toLowerCase();
    let found = this.discovered.get(key);
    if (!found) {
      const github = this.deps.config.github;
      found = {
        name: repo,
        host: new GitHubHost({
          repo,
          token: github.token,
          apiUrl: github.apiUrl,
          timeoutMs: github.timeoutMs,
          hedger: this.githubHedger,
          ...(this.deps.clock ? { now: this.deps.clock.now, sleep: this.deps.clock.sleep } : {}),
          ...(defaultBranch ? { defaultBranch } : {}),
          logger: this.deps.logger.child({ component: "github" }),
        }),
        projects: [],
        github: repo,
        ...(defaultBranch ? { defaultBranch } : {}),
        source,
      };
      this.discovered.set(key, found);
    }
    return found;
  }

  private fromConfig(r: RepositoryConfig): Repository {
    const github = this.deps.config.github;
    const slug = r.github ?? (r.path ? (originSlug(r.path) ?? undefined) : undefined);
    const host: CodeHost = r.path
      ? new LocalGitHost(r.name, r.path, r.defaultBranch ? { defaultBranch: r.defaultBranch } : {})
      : new GitHubHost({
          repo: r.github!,
          name: r.name,
          token: github.token,
          apiUrl: github.apiUrl,
          timeoutMs: github.timeoutMs,
          hedger: this.githubHedger,
          ...(this.deps.clock ? { now: this.deps.clock.now, sleep: this.deps.clock.sleep } : {}),
          ...(r.defaultBranch ? { defaultBranch: r.defaultBranch } : {}),
          logger: this.deps.logger.child({ component: "github" }),
        });
    return {
      name: r.name,
      host,
      projects: [...r.projects],
      ...(r.defaultBranch ? { defaultBranch: r.defaultBranch } : {}),
      ...(r.pathPrefix ? { pathPrefix: r.pathPrefix } : {}),
      ...(slug ? { github: slug } : {}),
      source: "config",
    };
  }
}

/** The nearest directory at or above `dir` with a `.git` entry. */
function findGitRoot(dir: string): string | null {
  let d = dir;
  for (;;) {
    if (existsSync(join(d, ".git"))) return d;
    const parent = dirname(d);
    if (parent === d) return null;
    d = parent;
  }
}

/** owner/name from the checkout's `origin` remote, read from .git/config without running git. */
export function originSlug(root: string): string | null {
  try {
    const gitDir = join(root, ".git");
    if (!statSync(gitDir).isDirectory()) return null;
    const config = readFileSync(join(gitDir, "config"), "utf8");
    const section = /\[remote "origin"\]([^[]*)/.exec(config)?.[1] ?? "";
    const url = /^\s*url\s*=\s*(.+)$/m.exec(section)?.[1]?.trim() ?? "";
    const m = /[:/]([\w.-]+)\/([\w.-]+?)(?:\.git)?\/?$/.exec(url);
    return m ? `${m[1]}/${m[2]}` : null;
  } catch {
    return null;
  }
}
