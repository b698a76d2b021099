import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { devNull } from "node:os";
import { dirname, isAbsolute, join, normalize, sep } from "node:path";
import type { Scenario } from "../../src/sandbox/scenario.ts";
import { corpus } from "./index.ts";
import type { CorpusScenario, RepoCommit, RepoSpec } from "./types.ts";

/**
 * Turns a corpus scenario into real git repositories (one commit per RepoCommit, authored and dated as the
 * scenario says) and fills the SHA placeholders in its Sentry data. Git runs with an explicit environment:
 * no system or global config, no hooks, no signing, so the result is the same on every machine.
 */

export interface BuiltRepo {
  name: string;
  path: string;
  /** SHA of each commit, in RepoSpec order. */
  shas: string[];
  connected: boolean;
  projects: string[];
}

export interface BuiltScenario {
  repos: BuiltRepo[];
  sentry: Scenario;
}

const PLACEHOLDER = /\{\{(sha|short):([^:{}]+):(\d+)\}\}/g;

export async function buildRepos(scenario: CorpusScenario, dir: string): Promise<BuiltScenario> {
  mkdirSync(dir, { recursive: true });
  const repos = scenario.repos.map((spec) => buildRepo(spec, join(dir, spec.name.replace(/\//g, "__"))));
  const byName = new Map(repos.map((r) => [r.name, r]));
  const resolve = (text: string): string =>
    text.replace(PLACEHOLDER, (whole, kind: string, repo: string, index: string) => {
      const sha = byName.get(repo)?.shas[Number(index)];
      if (!sha) throw new Error(`${scenario.name}: ${whole} names no commit of a scenario repository`);
      return kind === "sha" ? sha : sha.slice(0, 12);
    });
  return { repos, sentry: deepReplace(structuredClone(scenario.sentry), resolve) as Scenario };
}

/** All scenarios of the corpus, in their stable order. */
export function loadCorpus(): CorpusScenario[] {
  return [...corpus];
}

function buildRepo(spec: RepoSpec, path: string): BuiltRepo {
  rmSync(path, { recursive: true, force: true });
  mkdirSync(path, { recursive: true });
  const branch = spec.defaultBranch ?? "main";
  git(path, ["init", "--quiet", "-b", branch], null);
  const shas: string[] = [];
  for (const commit of spec.commits) {
    for (const [file, content] of Object.entries(commit.files)) {
      const target = safePath(path, file);
      if (content === null) rmSync(target, { force: true });
      else {
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, content);
      }
    }
    git(path, ["add", "-A"], commit);
    git(
      path,
      [
        "-c",
        `user.name=${commit.author}`,
        "-c",
        `user.email=${commit.email}`,
        "commit",
        "--quiet",
        "--no-gpg-sign",
        "--no-verify",
        "--allow-empty",
        "--cleanup=verbatim",
        "-m",
        commit.message,
      ],
      commit,
    );
    shas.push(git(path, ["rev-parse", "HEAD"], commit).trim());
  }
  return {
    name: spec.name,
    path,
    shas,
    connected: spec.connected ?? true,
    projects: [...spec.projects],
  };
}

function safePath(root: string, file: string): string {
  const clean = normalize(file);
  if (isAbsolute(clean) || clean === ".." || clean.startsWith(`..${sep}`)) {
    throw new Error(`repository path escapes the repository: ${file}`);
  }
  return join(root, clean);
}

function git(cwd: string, args: string[], commit: RepoCommit | null): string {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: cwd,
    LC_ALL: "C",
    TZ: "UTC",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: devNull,
    GIT_TERMINAL_PROMPT: "0",
  };
  if (commit) {
    const ms = Date.parse(commit.date);
    if (Number.isNaN(ms)) throw new Error(`bad commit date ${commit.date}`);
    const date = `${Math.floor(ms / 1000)} +0000`;
    Object.assign(env, {
      GIT_AUTHOR_NAME: commit.author,
      GIT_AUTHOR_EMAIL: commit.email,
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_NAME: commit.author,
      GIT_COMMITTER_EMAIL: commit.email,
      GIT_COMMITTER_DATE: date,
    });
  }
  return execFileSync(
    "git",
    ["-c", "core.hooksPath=/dev/null", "-c", "commit.gpgSign=false", "-c", "core.autocrlf=false", ...args],
    { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  );
}

function deepReplace(value: unknown, replace: (s: string) => string): unknown {
  if (typeof value === "string") return replace(value);
  if (Array.isArray(value)) return value.map((v) => deepReplace(v, replace));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [replace(k), deepReplace(v, replace)]),
    );
  }
  return value;
}
