import { execFileSync } from "node:child_process";
import type { FakeGitHubOptions } from "./github.ts";

/**
 * The fake GitHub's answers read from the git repositories it serves: contents, commit details with their
 * patches, and GraphQL blame, parsed from git's own output (independently of src/code).
 */

export type Reply = { status: number; body: unknown; type?: string };

export const DOCS = "https://docs.github.com/rest";

export function notFound(doc = "repos/contents#get-repository-content"): Reply {
  return { status: 404, body: { message: "Not Found", documentation_url: `${DOCS}/${doc}`, status: "404" } };
}

// The fixture repositories do not change while a fake serves them, so git's answers are reused.
const memo = new Map<string, string | null>();

export function git(dir: string, args: string[]): string | null {
  const key = `${dir}\0${args.join("\0")}`;
  if (!memo.has(key)) memo.set(key, runGit(dir, args));
  return memo.get(key)!;
}

function runGit(dir: string, args: string[]): string | null {
  try {
    return execFileSync("git", ["-C", dir, ...args], {
      encoding: "utf8",
      maxBuffer: 32 * 1024 * 1024,
      stdio: ["ignore", "pipe", "ignore"],
    });
  } catch {
    return null;
  }
}

export function contents(
  options: FakeGitHubOptions,
  dir: string,
  path: string,
  ref: string,
  api: string,
): Reply {
  const entry = git(dir, ["ls-tree", "-l", ref, "--", path])?.trim();
  if (!entry) return notFound();
  const [meta] = entry.split("\t") as [string, string];
  const [mode, type, sha, size] = meta.split(/\s+/) as [string, string, string, string];
  const base = { name: path.split("/").pop(), path, sha, url: `${api}/contents/${path}?ref=${ref}` };
  if (type === "tree") {
    const out = git(dir, ["ls-tree", "-l", `${ref}:${path}`]) ?? "";
    return ok(
      out
        .split("\n")
        .filter(Boolean)
        .map((line) => {
          const [m2, name] = line.split("\t") as [string, string];
          const [md, t, s] = m2.split(/\s+/) as [string, string, string];
          return {
            type: t === "tree" ? "dir" : md === "120000" ? "symlink" : "file",
            name,
            path: `${path}/${name}`,
            sha: s,
          };
        }),
    );
  }
  const content = git(dir, ["cat-file", "blob", sha]) ?? "";
  if (mode === "120000") {
    // GitHub serves the target when it is a file inside the repository; otherwise it describes the link.
    const target = content.trim();
    const joined = normalize(`${path.split("/").slice(0, -1).join("/")}/${target}`);
    if (joined && !target.startsWith("/")) {
      const resolved = git(dir, ["ls-tree", ref, "--", joined])?.trim();
      if (resolved?.includes(" blob ")) return contents(options, dir, joined, ref, api);
    }
    return ok({ ...base, type: "symlink", target, size: Buffer.byteLength(content) });
  }
  const bytes = Number(size);
  if (bytes > (options.largeFileBytes ?? 1_000_000))
    return ok({ ...base, type: "file", size: bytes, encoding: "none", content: "" });
  return ok({
    ...base,
    type: "file",
    size: bytes,
    encoding: "base64",
    content: wrap64(content),
    _links: { self: base.url },
  });
}

export function commitDetail(dir: string, sha: string, api: string): unknown {
  const head = git(dir, ["show", "-s", "--format=%H%x1f%T%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%B", sha]) ?? "";
  const [full, tree, parents, name, email, date, message] = head.split("\x1f") as string[];
  const patch = git(dir, ["show", "--format=", "--root", "-M", "--patch", sha]) ?? "";
  const files = patch
    .split(/^(?=diff --git )/m)
    .filter((s) => s.startsWith("diff --git "))
    .map((section) => {
      const lines = section.split("\n");
      const renameFrom = /^rename from (.+)$/m.exec(section)?.[1];
      const renameTo = /^rename to (.+)$/m.exec(section)?.[1];
      const plus = /^\+\+\+ b\/(.+)$/m.exec(section)?.[1];
      const minus = /^--- a\/(.+)$/m.exec(section)?.[1];
      const filename = renameTo ?? plus ?? minus ?? /^diff --git a\/.+ b\/(.+)$/.exec(lines[0]!)?.[1] ?? "";
      const status = /^new file mode/m.test(section)
        ? "added"
        : /^deleted file mode/m.test(section)
          ? "removed"
          : renameTo
            ? "renamed"
            : "modified";
      const hunk = section.search(/^@@ /m);
      const body = hunk >= 0 ? section.slice(hunk).replace(/\n$/, "") : undefined;
      const additions = body ? body.split("\n").filter((l) => l.startsWith("+")).length : 0;
      const deletions = body ? body.split("\n").filter((l) => l.startsWith("-")).length : 0;
      return {
        sha: "0".repeat(40),
        filename,
        status,
        additions,
        deletions,
        changes: additions + deletions,
        ...(renameFrom ? { previous_filename: renameFrom } : {}),
        ...(body !== undefined ? { patch: body } : {}),
      };
    });
  const who = { name, email, date };
  return {
    sha: full,
    node_id: "C_fake",
    commit: {
      author: who,
      committer: who,
      message: (message ?? "").trim(),
      tree: { sha: tree },
      comment_count: 0,
    },
    url: `${api}/commits/${full}`,
    author: null,
    committer: null,
    parents: (parents ?? "")
      .split(" ")
      .filter(Boolean)
      .map((p) => ({ sha: p })),
    stats: { total: files.reduce((n, f) => n + f.changes, 0) },
    files,
  };
}

export function graphql(options: FakeGitHubOptions, body: string): Reply {
  const { query, variables } = JSON.parse(body) as { query: string; variables: Record<string, string> };
  const repo = options.repos[`${variables.owner}/${variables.name}`];
  if (!repo || !query.includes("blame")) {
    return ok({
      data: { repository: null },
      errors: [
        {
          type: "NOT_FOUND",
          path: ["repository"],
          message: `Could not resolve to a Repository with the name '${variables.owner}/${variables.name}'.`,
        },
      ],
    });
  }
  const sha = git(repo.dir, ["rev-parse", "--verify", "--quiet", `${variables.expression}^{commit}`])?.trim();
  if (!sha) return ok({ data: { repository: { object: null } } });
  const out = git(repo.dir, ["blame", "--line-porcelain", sha, "--", variables.path!]);
  if (out === null) {
    return ok({
      data: { repository: { object: { blame: null } } },
      errors: [
        {
          type: "NOT_FOUND",
          path: ["repository", "object", "blame"],
          message: `Could not resolve file for path '${variables.path}'.`,
        },
      ],
    });
  }
  const lines: Array<{
    line: number;
    sha: string;
    author: string;
    email: string;
    time: number;
    summary: string;
  }> = [];
  let cur: (typeof lines)[number] | null = null;
  for (const row of out.split("\n")) {
    const h = /^([0-9a-f]{40}) \d+ (\d+)/.exec(row);
    if (h) cur = { line: Number(h[2]), sha: h[1]!, author: "", email: "", time: 0, summary: "" };
    else if (cur && row.startsWith("author ")) cur.author = row.slice(7);
    else if (cur && row.startsWith("author-mail ")) cur.email = row.slice(12).replace(/[<>]/g, "");
    else if (cur && row.startsWith("author-time ")) cur.time = Number(row.slice(12));
    else if (cur && row.startsWith("summary ")) cur.summary = row.slice(8);
    else if (cur && row.startsWith("\t")) {
      lines.push(cur);
      cur = null;
    }
  }
  const ranges: unknown[] = [];
  let start = 0;
  for (let i = 1; i <= lines.length; i++) {
    if (i < lines.length && lines[i]!.sha === lines[start]!.sha) continue;
    const l = lines[start]!;
    const date = new Date(l.time * 1000).toISOString().replace(".000", "");
    ranges.push({
      startingLine: l.line,
      endingLine: lines[i - 1]!.line,
      age: 1,
      commit: {
        oid: l.sha,
        messageHeadline: l.summary,
        authoredDate: date,
        author: { name: l.author, email: l.email, date },
      },
    });
    start = i;
  }
  return ok({ data: { repository: { object: { blame: { ranges } } } } });
}

export const ok = (body: unknown): Reply => ({ status: 200, body });

/** GitHub wraps base64 content at 60 characters. */
export function wrap64(text: string): string {
  return (
    Buffer.from(text, "utf8")
      .toString("base64")
      .match(/.{1,60}/g) ?? []
  ).join("\n");
}

export function normalize(path: string): string | null {
  const out: string[] = [];
  for (const seg of path.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      if (out.length === 0) return null;
      out.pop();
    } else out.push(seg);
  }
  return out.join("/");
}
