import { execFile } from "node:child_process";
import { cancellationOf } from "../deadline.ts";
import { AppError, configError } from "../errors.ts";

/**
 * Runs `git` in a checkout without a shell. The repository is not trusted: its own config could name
 * programs for git to run (`core.fsmonitor`, external diff drivers, textconv filters), so those are switched
 * off on every call, and callers pass `--no-ext-diff --no-textconv` where diffs are produced.
 */

const SAFE_CONFIG = [
  "-c",
  "core.fsmonitor=false",
  "-c",
  "core.quotePath=false",
  "-c",
  "core.hooksPath=/dev/null",
];
const MAX_OUTPUT = 64 * 1024 * 1024;

interface GitResult {
  ok: boolean;
  stdout: string;
  stderr: string;
  code: number | null;
}

/** Runs git; a non-zero exit is returned (callers decide what it means), a missing binary or repo is thrown. */
export function git(root: string, args: string[], signal?: AbortSignal): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    execFile(
      "git",
      [...SAFE_CONFIG, "-C", root, ...args],
      // A tool call's deadline is for upstreams; a local checkout answers, so only cancelling stops git.
      { maxBuffer: MAX_OUTPUT, encoding: "utf8", signal: cancellationOf(signal), windowsHide: true },
      (error, stdout, stderr) => {
        if (!error) return resolve({ ok: true, stdout, stderr, code: 0 });
        const err = error as NodeJS.ErrnoException & { code?: number | string };
        if (err.code === "ENOENT") {
          return reject(
            configError("git is not installed or not on PATH.", "Install git to use local checkouts."),
          );
        }
        if (err.name === "AbortError") return reject(error);
        if (err.code === "ERR_CHILD_PROCESS_STDIO_MAXBUFFER") {
          return reject(
            new AppError("upstream", "git produced more output than this server reads (64 MiB).", {
              service: "git",
            }),
          );
        }
        if (/not a git repository|dubious ownership|cannot change to/i.test(stderr)) {
          return reject(
            configError(
              `${root} is not a usable git checkout (${stderr.trim().split("\n")[0]}).`,
              "Point the repository's path (config file or --repo) at a git checkout this user owns.",
            ),
          );
        }
        resolve({ ok: false, stdout, stderr, code: typeof err.code === "number" ? err.code : null });
      },
    );
  });
}

/** Like git(), but a non-zero exit is an error. */
export async function gitOk(root: string, args: string[], signal?: AbortSignal): Promise<string> {
  const result = await git(root, args, signal);
  if (!result.ok) {
    throw new AppError("upstream", `git ${args[0]} failed in ${root}.`, {
      service: "git",
      detail: result.stderr.slice(0, 2000),
    });
  }
  return result.stdout;
}
