import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * Builds a small git repository from a list of commits, deterministically: fixed authors, dates derived
 * from `now`, an explicit environment (no system or user git config) and no signing. The same specs and
 * the same `now` always give the same commit SHAs.
 */

export interface Person {
  name: string;
  email: string;
}

export interface CommitSpec {
  /** How long before `now` the commit was made, in ms. */
  ago: number;
  author: Person;
  message: string;
  /** Repo-relative path → new content, or null to delete the file. */
  files: Record<string, string | null>;
}

export interface RepoSpec {
  /** `owner/name`, as the code host knows it. */
  name: string;
  /** Directory under the build root. */
  dir: string;
  /** Sentry project slugs the repository serves. */
  projects: string[];
  /** Oldest first. */
  commits: CommitSpec[];
}

export const PEOPLE = {
  priya: { name: "Priya Raman", email: "priya.raman@acme.shop" },
  tom: { name: "Tom Becker", email: "tom.becker@acme.shop" },
  lena: { name: "Lena Ortiz", email: "lena.ortiz@acme.shop" },
  jonas: { name: "Jonas Weber", email: "jonas.weber@acme.shop" },
  mei: { name: "Mei Chen", email: "mei.chen@acme.shop" },
  marco: { name: "Marco Bianchi", email: "marco.bianchi@acme.shop" },
  anja: { name: "Anja Novak", email: "anja.novak@acme.shop" },
  dependabot: { name: "dependabot[bot]", email: "49699333+dependabot[bot]@users.noreply.github.com" },
} as const satisfies Record<string, Person>;

/**
 * Replaces each `[from, to]` in `text`, each `from` occurring exactly once. Older versions of a file are
 * written as edits of the newer one, so the history cannot drift from the file the frames point at.
 */
export function edit(text: string, pairs: Array<[from: string, to: string]>): string {
  let out = text;
  for (const [from, to] of pairs) {
    const at = out.indexOf(from);
    if (at < 0 || out.indexOf(from, at + 1) >= 0) {
      throw new Error(`demo repo edit: expected exactly one ${JSON.stringify(from.slice(0, 60))}`);
    }
    out = out.slice(0, at) + to + out.slice(at + from.length);
  }
  return out;
}

export function gitEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? process.env.Path ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: home,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_TERMINAL_PROMPT: "0",
    LANG: "C",
    LC_ALL: "C",
    TZ: "UTC",
  };
  // Windows needs these to start processes at all.
  for (const key of ["SystemRoot", "SYSTEMROOT", "ComSpec", "PATHEXT"]) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return env;
}

const CONFIG = [
  "-c",
  "commit.gpgsign=false",
  "-c",
  "tag.gpgsign=false",
  "-c",
  "core.autocrlf=false",
  "-c",
  "core.hooksPath=.git/no-hooks",
];

export function git(cwd: string, args: string[], env: NodeJS.ProcessEnv, input?: string): string {
  return execFileSync("git", [...CONFIG, ...args], {
    cwd,
    env,
    input,
    encoding: "utf8",
    stdio: ["pipe", "pipe", "pipe"],
    windowsHide: true,
  });
}

/** Throws a readable error when git is not installed. */
export function requireGit(home: string): void {
  try {
    execFileSync("git", ["--version"], { env: gitEnv(home), stdio: "ignore", windowsHide: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "it is not installed or not on PATH" : (error as Error).message;
    throw new Error(`git is needed for the demo's repositories, but ${why}. Install git and try again.`);
  }
}

/** `<epoch seconds> +0000`, git's internal date format. */
const gitDate = (ms: number): string => `${Math.floor(ms / 1000)} +0000`;

/** Creates `root/spec.dir` from scratch and returns its HEAD SHA. */
export function buildRepo(root: string, spec: RepoSpec, now: number): string {
  const path = join(root, spec.dir);
  rmSync(path, { recursive: true, force: true });
  mkdirSync(path, { recursive: true });
  const home = root;
  git(path, ["init", "-q", "-b", "main"], gitEnv(home));
  for (const c of spec.commits) {
    for (const [file, content] of Object.entries(c.files)) {
      const abs = join(path, file);
      if (content === null) {
        rmSync(abs, { force: true });
        continue;
      }
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, content, "utf8");
    }
    const date = gitDate(now - c.ago);
    const env: NodeJS.ProcessEnv = {
      ...gitEnv(home),
      GIT_AUTHOR_NAME: c.author.name,
      GIT_AUTHOR_EMAIL: c.author.email,
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_NAME: c.author.name,
      GIT_COMMITTER_EMAIL: c.author.email,
      GIT_COMMITTER_DATE: date,
    };
    git(path, ["add", "-A"], env);
    git(
      path,
      ["commit", "-q", "--no-verify", "-F", "-"],
      env,
      c.message.endsWith("\n") ? c.message : `${c.message}\n`,
    );
  }
  return headOf(path, gitEnv(home));
}

export function headOf(path: string, env: NodeJS.ProcessEnv = gitEnv(dirname(path))): string {
  return git(path, ["rev-parse", "HEAD"], env).trim();
}
