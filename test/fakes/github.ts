import { execFileSync } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A fake GitHub API on 127.0.0.1, serving real git repositories (built by the tests) in GitHub's REST and
 * GraphQL shapes: base64 contents, recursive trees (optionally truncated), commit lists filtered by path,
 * commit details with `files[].patch`, GraphQL blame ranges, and the ugly parts — `{"message":"Not Found"}`
 * 404s, 401 "Bad credentials", 403 rate limits with `x-ratelimit-remaining: 0`. It answers under
 * `/api/v3` and `/api/graphql`, like GitHub Enterprise, and at the root, like api.github.com.
 * It reads git directly and parses git's output itself, independently of src/code.
 */

export interface FakeGitHubOptions {
  repos: Record<string, { dir: string; defaultBranch?: string }>;
  /** Token the fake requires; null accepts anonymous calls. */
  token?: string | null;
  /** Recursive trees list at most this many entries and say `truncated: true`. */
  truncateTreesAt?: number;
  /** Contents API omits content (encoding "none") above this size, as GitHub does above 1 MB. */
  largeFileBytes?: number;
}

export interface FakeGitHub {
  /** REST base URL (`…/api/v3`): what GITHUB_API_URL is set to. */
  url: string;
  requests: Array<{ method: string; path: string; query: URLSearchParams }>;
  /** Every later request gets a 403 rate-limit answer until restore(). */
  exhaustRateLimit(resetInSeconds: number): void;
  /** Requests whose path matches fail this way until restore(): a status with GitHub's JSON error, an HTML
   * page, cut-off JSON, a reset socket, or no answer at all. */
  fail(fault: GitHubFault): void;
  restore(): void;
  close(): Promise<void>;
}

export interface GitHubFault {
  match: RegExp;
  status?: number;
  kind?: "json" | "html" | "truncated" | "reset" | "hang";
  /** Fire this many times, then answer normally (default: until restore()). */
  times?: number;
}

const DOCS = "https://docs.github.com/rest";
type Reply = { status: number; body: unknown; type?: string };

export async function startFakeGitHub(options: FakeGitHubOptions): Promise<FakeGitHub> {
  const token = options.token === undefined ? "ghp_faketoken000000000000000000000000" : options.token;
  const requests: FakeGitHub["requests"] = [];
  let exhaustedUntil: number | null = null;
  let faults: GitHubFault[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const path = url.pathname.replace(/^\/api\/v3(?=\/)/, "");
    requests.push({ method: req.method ?? "GET", path, query: url.searchParams });
    const body = req.method === "POST" ? await readBody(req) : "";
    const reset = exhaustedUntil ?? Math.floor(Date.now() / 1000) + 3600;
    const headers: Record<string, string> = {
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": exhaustedUntil ? "0" : "4999",
      "x-ratelimit-reset": String(reset),
      "x-ratelimit-used": exhaustedUntil ? "5000" : "1",
      "x-ratelimit-resource": path.endsWith("graphql") ? "graphql" : "core",
      "x-github-media-type": "github.v3; format=json",
    };
    const send = (r: Reply) => {
      res.writeHead(r.status, { ...headers, "content-type": r.type ?? "application/json; charset=utf-8" });
      res.end(typeof r.body === "string" && r.type ? r.body : JSON.stringify(r.body));
    };
    const auth = req.headers.authorization ?? "";
    if (
      token !== null &&
      auth !== `token ${token}` &&
      auth !== `bearer ${token}` &&
      auth !== `Bearer ${token}`
    ) {
      return send({
        status: 401,
        body: { message: "Bad credentials", documentation_url: DOCS, status: "401" },
      });
    }
    const fault = faults.find((f) => f.match.test(path) && (f.times === undefined || f.times > 0));
    if (fault) {
      if (fault.times !== undefined) fault.times--;
      const kind = fault.kind ?? "json";
      if (kind === "hang") return;
      if (kind === "reset") return void req.socket.destroy();
      if (kind === "truncated")
        return send({ status: 200, body: '{"sha": "abc", "tree": [{"pa', type: "application/json" });
      if (kind === "html")
        return send({
          status: fault.status ?? 502,
          body: "<html><body><h1>502 Bad Gateway</h1></body></html>",
          type: "text/html",
        });
      return send({
        status: fault.status ?? 500,
        body: { message: "Server Error", documentation_url: DOCS },
      });
    }
    if (exhaustedUntil) {
      return send({
        status: 403,
        body: {
          message:
            "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID.",
          documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
          status: "403",
        },
      });
    }
    if (req.method === "POST" && (path === "/graphql" || path === "/api/graphql"))
      return send(graphql(options, body));
    send(rest(options, req, path, url.searchParams));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: `fake error: ${(error as Error).message}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/api/v3`,
    requests,
    exhaustRateLimit: (seconds) => {
      exhaustedUntil = Math.floor(Date.now() / 1000) + seconds;
    },
    fail: (fault) => {
      faults.push({ ...fault });
    },
    restore: () => {
      exhaustedUntil = null;
      faults = [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function notFound(doc = "repos/contents#get-repository-content"): Reply {
  return { status: 404, body: { message: "Not Found", documentation_url: `${DOCS}/${doc}`, status: "404" } };
}

// The fixture repositories do not change while a fake serves them, so git's answers are reused.
const memo = new Map<string, string | null>();

function git(dir: string, args: string[]): string | null {
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

function rest(options: FakeGitHubOptions, req: IncomingMessage, path: string, query: URLSearchParams): Reply {
  const m = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(path);
  if (!m || req.method !== "GET") return notFound("");
  const full = `${m[1]}/${m[2]}`;
  const repo = options.repos[full];
  if (!repo) return notFound("repos/repos#get-a-repository");
  const dir = repo.dir;
  const branch = repo.defaultBranch ?? "main";
  const rest = m[3] ?? "";
  const api = `http://fake/repos/${full}`;

  if (rest === "") {
    return ok({
      id: 1,
      name: m[2],
      full_name: full,
      private: true,
      owner: { login: m[1] },
      default_branch: branch,
      html_url: `https://github.com/${full}`,
    });
  }
  let r = /^\/commits\/(.+)$/.exec(rest);
  if (r) {
    const ref = decodeURIComponent(r[1]!);
    const sha = git(dir, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`])?.trim();
    if (!sha)
      return {
        status: 422,
        body: {
          message: `No commit found for SHA: ${ref}`,
          documentation_url: `${DOCS}/commits/commits#get-a-commit`,
          status: "422",
        },
      };
    if ((req.headers.accept ?? "").includes("application/vnd.github.sha")) {
      return { status: 200, body: sha, type: "application/vnd.github.sha; charset=utf-8" };
    }
    return ok(commitDetail(dir, sha, api));
  }
  if (rest === "/commits") {
    const rev = query.get("sha") ?? branch;
    const perPage = Math.min(Number(query.get("per_page") ?? 30), 100);
    const args = ["log", "--format=%H%x1f%an%x1f%ae%x1f%aI%x1f%B%x1e", "-n", String(perPage)];
    if (query.get("since")) args.push(`--since=${query.get("since")}`);
    args.push(rev, "--");
    if (query.get("path")) args.push(query.get("path")!);
    const out = git(dir, args);
    if (out === null)
      return {
        status: 404,
        body: { message: "No commit found for SHA: " + rev, documentation_url: DOCS, status: "404" },
      };
    return ok(
      out
        .split("\x1e")
        .map((c) => c.trim())
        .filter(Boolean)
        .map((c) => {
          const [sha, name, email, date, message] = c.split("\x1f") as [
            string,
            string,
            string,
            string,
            string,
          ];
          const who = { name, email, date };
          return {
            sha,
            node_id: "C_fake",
            commit: {
              author: who,
              committer: who,
              message: message.trim(),
              tree: { sha: "0".repeat(40) },
              comment_count: 0,
            },
            url: `${api}/commits/${sha}`,
            html_url: `https://github.com/${full}/commit/${sha}`,
            author: null,
            committer: null,
            parents: [],
          };
        }),
    );
  }
  r = /^\/git\/trees\/(.+)$/.exec(rest);
  if (r) {
    const ish = decodeURIComponent(r[1]!);
    const recursive =
      query.get("recursive") !== null && query.get("recursive") !== "0" && query.get("recursive") !== "false";
    const treeSha = git(dir, ["rev-parse", "--verify", "--quiet", `${ish}^{tree}`])?.trim();
    if (!treeSha) return notFound("git/trees#get-a-tree");
    const out = git(dir, ["ls-tree", "-l", ...(recursive ? ["-r", "-t"] : []), treeSha]) ?? "";
    let tree = out
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const [meta, p] = line.split("\t") as [string, string];
        const [mode, type, sha, size] = meta.split(/\s+/) as [string, string, string, string];
        return {
          path: p,
          mode,
          type,
          sha,
          ...(type === "blob" ? { size: Number(size) } : {}),
          url: `${api}/git/${type}s/${sha}`,
        };
      });
    let truncated = false;
    if (recursive && options.truncateTreesAt !== undefined && tree.length > options.truncateTreesAt) {
      tree = tree.slice(0, options.truncateTreesAt);
      truncated = true;
    }
    return ok({ sha: treeSha, url: `${api}/git/trees/${treeSha}`, tree, truncated });
  }
  r = /^\/git\/blobs\/([0-9a-f]{40})$/.exec(rest);
  if (r) {
    const content = git(dir, ["cat-file", "blob", r[1]!]);
    if (content === null) return notFound("git/blobs#get-a-blob");
    return ok({
      sha: r[1],
      node_id: "B_fake",
      size: Buffer.byteLength(content),
      url: `${api}/git/blobs/${r[1]}`,
      content: wrap64(content),
      encoding: "base64",
    });
  }
  r = /^\/contents\/(.+)$/.exec(rest);
  if (r) return contents(options, dir, decodeURIComponent(r[1]!), query.get("ref") ?? branch, api);
  return notFound("");
}

function contents(options: FakeGitHubOptions, dir: string, path: string, ref: string, api: string): Reply {
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

function commitDetail(dir: string, sha: string, api: string): unknown {
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

function graphql(options: FakeGitHubOptions, body: string): Reply {
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

const ok = (body: unknown): Reply => ({ status: 200, body });

/** GitHub wraps base64 content at 60 characters. */
function wrap64(text: string): string {
  return (
    Buffer.from(text, "utf8")
      .toString("base64")
      .match(/.{1,60}/g) ?? []
  ).join("\n");
}

function normalize(path: string): string | null {
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

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => {
      data += chunk;
    });
    req.on("end", () => resolve(data));
    req.on("error", reject);
  });
}
