import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  commitDetail,
  contents,
  DOCS,
  git,
  graphql,
  notFound,
  ok,
  type Reply,
  wrap64,
} from "./github-git.ts";

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
