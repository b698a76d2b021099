import { posix } from "node:path";
import { inputError } from "../errors.ts";

/**
 * Repo-relative paths arrive from the model and from repository content (rules imports, symlinks), so both
 * can be hostile. Every host funnels paths through here: `..`, absolute paths, drive letters and NUL bytes
 * are refused, never resolved, so no caller can read outside the repository.
 */
export function safeRepoPath(path: string): string {
  const raw = path.replace(/\\/g, "/").trim();
  if (raw === "" || raw.includes("\0")) throw inputError("the path is empty or contains a NUL byte.");
  if (raw.startsWith("/") || /^[A-Za-z]:/.test(raw) || raw.startsWith("~")) {
    throw inputError(
      `"${clip(path)}" is absolute; give a path relative to the repository root, e.g. src/app.ts.`,
    );
  }
  const segments = raw.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.includes("..")) {
    throw inputError(`"${clip(path)}" contains "..": paths must stay inside the repository.`);
  }
  if (segments.length === 0) throw inputError(`"${clip(path)}" does not name a file.`);
  return segments.join("/");
}

/**
 * Where a symlink stored at `linkPath` points, as a repo-relative path, or null when it leaves the
 * repository (absolute targets, or `..` past the root).
 */
export function symlinkTarget(linkPath: string, target: string): string | null {
  if (target.startsWith("/") || /^[A-Za-z]:/.test(target)) return null;
  const joined = posix.normalize(posix.join(posix.dirname(linkPath), target.replace(/\\/g, "/")));
  if (joined === ".." || joined.startsWith("../") || joined.startsWith("/")) return null;
  return joined;
}

/**
 * Refs reach `git` as arguments. A leading `-` would be read as an option, and odd characters have no
 * business in a branch, tag or SHA, so anything else is refused before it reaches a process or a URL.
 */
export function safeRef(ref: string): string {
  const r = ref.trim();
  if (!/^[\w./@^~{}+-]{1,250}$/.test(r) || r.startsWith("-") || r.includes("..")) {
    throw inputError(`"${clip(ref)}" is not a branch, tag or commit SHA.`);
  }
  return r;
}

export const isSha = (ref: string): boolean => /^[0-9a-f]{40}$/i.test(ref);

function clip(s: string): string {
  return s.length > 120 ? `${s.slice(0, 119)}…` : s;
}
