import type { BlameRange, CommitInfo, FileStatus } from "./types.ts";

/** Pure parsers for git's machine-readable output (`-z`, `--porcelain`, field separators). */

export interface TreeEntry {
  mode: string;
  /** Blob SHA. */
  object: string;
  /** Bytes, when the listing carried it (`ls-tree -l`). */
  size?: number;
}

export type TreeIndex = Map<string, TreeEntry>;

/** `git ls-tree -r -z -l --full-tree`: `<mode> <type> <object> <size>\t<path>\0`. Submodules are not files. */
export function parseLsTree(out: string): TreeIndex {
  const index: TreeIndex = new Map();
  for (const record of out.split("\0")) {
    const tab = record.indexOf("\t");
    if (tab < 0) continue;
    const [mode, type, object, size] = record.slice(0, tab).split(/ +/);
    if (type !== "blob" || !mode || !object) continue;
    index.set(record.slice(tab + 1), {
      mode,
      object,
      ...(size && /^\d+$/.test(size) ? { size: Number(size) } : {}),
    });
  }
  return index;
}

/** `git ls-files -s -z`: `<mode> <object> <stage>\t<path>\0`; conflicted files appear once per stage. */
export function parseLsFiles(out: string): TreeIndex {
  const index: TreeIndex = new Map();
  for (const record of out.split("\0")) {
    const tab = record.indexOf("\t");
    if (tab < 0) continue;
    const [mode, object] = record.slice(0, tab).split(" ");
    if (!mode || !object || mode === "160000") continue;
    const path = record.slice(tab + 1);
    if (!index.has(path)) index.set(path, { mode, object });
  }
  return index;
}

export const LOG_FORMAT = "--format=%x1e%H%x1f%s%x1f%an%x1f%ae%x1f%aI";

/** `git log` with LOG_FORMAT and `--name-only`. */
export function parseLog(out: string): CommitInfo[] {
  const commits: CommitInfo[] = [];
  for (const chunk of out.split("\x1e")) {
    if (!chunk.trim()) continue;
    const [head = "", ...rest] = chunk.split("\n");
    const [sha = "", subject = "", author = "", email = "", date = ""] = head.split("\x1f");
    if (!sha) continue;
    commits.push({ sha, subject, author, email, date, files: rest.map((l) => l.trim()).filter(Boolean) });
  }
  return commits;
}

/**
 * `git blame --porcelain`: a header `<sha> <orig> <final> [<count>]` per line, commit details the first time
 * a commit appears, then the line itself after a tab. Adjacent lines from one commit merge into one range.
 */
export function parseBlamePorcelain(out: string): BlameRange[] {
  const commits = new Map<string, { author: string; time: number; subject: string }>();
  const lines: Array<{ line: number; sha: string }> = [];
  let current: { sha: string; line: number } | null = null;
  for (const row of out.split("\n")) {
    if (row.startsWith("\t")) {
      if (current) lines.push(current);
      current = null;
      continue;
    }
    const header = /^([0-9a-f]{40}) \d+ (\d+)(?: \d+)?$/.exec(row);
    if (header) {
      current = { sha: header[1]!, line: Number(header[2]) };
      if (!commits.has(current.sha)) commits.set(current.sha, { author: "", time: 0, subject: "" });
      continue;
    }
    if (!current) continue;
    const info = commits.get(current.sha)!;
    const space = row.indexOf(" ");
    const key = space < 0 ? row : row.slice(0, space);
    const value = space < 0 ? "" : row.slice(space + 1);
    if (key === "author") info.author = value;
    else if (key === "author-time") info.time = Number(value);
    else if (key === "summary") info.subject = value;
  }
  lines.sort((a, b) => a.line - b.line);
  const ranges: BlameRange[] = [];
  for (const { line, sha } of lines) {
    const last = ranges.at(-1);
    if (last && last.sha === sha && last.endLine === line - 1) {
      last.endLine = line;
      continue;
    }
    const info = commits.get(sha)!;
    ranges.push({
      startLine: line,
      endLine: line,
      sha,
      author: info.author,
      date: info.time ? new Date(info.time * 1000).toISOString() : "",
      subject: info.subject,
    });
  }
  return ranges;
}

const STATUS: Record<string, FileStatus> = {
  A: "added",
  M: "modified",
  D: "removed",
  R: "renamed",
  C: "copied",
  T: "changed",
};

/** `git diff-tree -r -z --name-status -M`: `<status>\0<path>\0` or `R<score>\0<old>\0<new>\0`. */
export function parseNameStatus(
  out: string,
): Array<{ path: string; status: FileStatus; previousPath?: string }> {
  const tokens = out.split("\0");
  const files: Array<{ path: string; status: FileStatus; previousPath?: string }> = [];
  for (let i = 0; i < tokens.length; i++) {
    const code = tokens[i]?.trim();
    if (!code) continue;
    const status = STATUS[code[0]!] ?? "changed";
    if (code[0] === "R" || code[0] === "C") {
      const previousPath = tokens[++i] ?? "";
      files.push({ path: tokens[++i] ?? "", status, previousPath });
    } else {
      files.push({ path: tokens[++i] ?? "", status });
    }
  }
  return files;
}

/**
 * Splits `git show --patch` output into one patch per file, in diff order, in GitHub's shape: the text from
 * the first `@@` hunk header on, or null for binary files and pure renames.
 */
export function splitPatches(out: string): Array<string | null> {
  const sections = out.split(/^diff --git .*$/m).slice(1);
  return sections.map((section) => {
    const hunk = section.search(/^@@ /m);
    if (hunk < 0) return null;
    return section.slice(hunk).replace(/\n$/, "");
  });
}
