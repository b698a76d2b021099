import { mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GitHubHost } from "../../src/code/github.ts";
import { LocalGitHost } from "../../src/code/local.ts";
import type { CodeHost } from "../../src/code/types.ts";
import { startDeadline } from "../../src/deadline.ts";
import { AppError } from "../../src/errors.ts";
import { Hedger } from "../../src/hedge.ts";
import { createLogger } from "../../src/log.ts";
import { type FakeGitHub, startFakeGitHub } from "../fakes/github.ts";
import { buildFixtureRepo, type FixtureRepo } from "../fixtures/rules-repo/build.ts";
import { SOURCE_FILES } from "../fixtures/rules-repo/files.ts";

const TOKEN = "ghp_testtoken00000000000000000000000000";
const DISCOUNTS = "services/orders/src/pricing/discounts.ts";
let repo: FixtureRepo;
let github: FakeGitHub;
const hosts: Record<string, CodeHost> = {};
const silent = createLogger("silent");

beforeAll(async () => {
  repo = buildFixtureRepo();
  github = await startFakeGitHub({ repos: { "acme/monorepo": { dir: repo.dir } }, token: TOKEN });
  hosts.local = new LocalGitHost("acme/monorepo", repo.dir);
  hosts.github = new GitHubHost({ repo: "acme/monorepo", token: TOKEN, apiUrl: github.url, logger: silent });
});
afterAll(async () => {
  await github?.close();
  repo?.cleanup();
});

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe.each(["local", "github"])("the %s code host", (name) => {
  const host = () => hosts[name]!;

  it("names the default branch and resolves branches, tags and SHAs", async () => {
    expect(await host().defaultBranch()).toBe("main");
    expect(await host().resolveRef("main")).toBe(repo.commits.rename);
    expect(await host().resolveRef("v1.0.0")).toBe(repo.commits.coupon);
    expect(await host().resolveRef(repo.commits.initial.slice(0, 12))).toBe(repo.commits.initial);
    expect(await host().resolveRef("no-such-branch")).toBeNull();
    await expect(host().resolveRef("--upload-pack=evil")).rejects.toMatchObject({ kind: "input" });
  });

  it("lists tracked files per ref, symlinks included", async () => {
    const before = await host().listFiles(repo.commits.initial);
    const now = await host().listFiles("main");
    expect(before).toContain("libs/util/strings.ts");
    expect(now).toContain("libs/util/text.ts");
    expect(now).not.toContain("libs/util/strings.ts");
    expect(now).toContain("docs/claude-link.md");
    expect(now).toHaveLength(before.length);
  });

  it("reads a file at a commit, and null for a file that is not there", async () => {
    expect(await host().readFile(DISCOUNTS, repo.commits.initial)).toBe(SOURCE_FILES[DISCOUNTS]);
    expect(await host().readFile(DISCOUNTS, "main")).toContain("rules.get(normalized)");
    expect(await host().readFile("no/such/file.ts", "main")).toBeNull();
    expect(await host().readFile("services/orders/src", "main")).toBeNull();
  });

  it("follows a symlink inside the repository but refuses ones that leave it", async () => {
    expect(await host().readFile("docs/claude-link.md", "main")).toContain("Acme monorepo — Claude Code");
    expect((await rejection(host().readFile("escape-link.md", "main"))).kind).toBe("input");
    expect((await rejection(host().readFile("etc-link", "main"))).message).toMatch(/outside the repository/);
  });

  it("refuses paths with .., absolute paths and drive letters", async () => {
    for (const bad of [
      "../outside.md",
      "docs/../../x",
      "/etc/passwd",
      "C:\\Windows\\win.ini",
      "~/.ssh/id_rsa",
    ]) {
      expect((await rejection(host().readFile(bad, "main"))).kind, bad).toBe("input");
    }
  });

  it("logs a path's history, newest first, with since and limit", async () => {
    const all = await host().log(DISCOUNTS, {});
    expect(all.map((c) => c.subject)).toEqual(["Normalise coupon codes before lookup", "Initial import"]);
    expect(all[0]).toMatchObject({
      sha: repo.commits.coupon,
      author: "Grace Hopper",
      email: "grace@acme.test",
    });
    expect(all[0]!.date).toMatch(/^2026-02-01T09:30:00/);
    expect((await host().log(DISCOUNTS, { since: "2026-01-20T00:00:00Z" })).map((c) => c.sha)).toEqual([
      repo.commits.coupon,
    ]);
    expect(await host().log(DISCOUNTS, { limit: 1, ref: repo.commits.initial })).toHaveLength(1);
  });

  it("blames a file into ranges per commit", async () => {
    const ranges = await host().blame(DISCOUNTS, "main");
    expect(ranges.map((r) => [r.startLine, r.endLine, r.sha, r.author])).toEqual([
      [1, 1, repo.commits.initial, "Ada Lovelace"],
      [2, 3, repo.commits.coupon, "Grace Hopper"],
      [4, 6, repo.commits.initial, "Ada Lovelace"],
    ]);
    expect(ranges[1]).toMatchObject({ subject: "Normalise coupon codes before lookup" });
    expect(ranges[1]!.date).toMatch(/^2026-02-01T09:30:00/);
    expect((await rejection(host().blame("no/such.ts", "main"))).kind).toBe("input");
  });

  it("shows a commit's diff with statuses, renames and patches", async () => {
    const diff = await host().diff(repo.commits.rename);
    expect(diff).toMatchObject({
      sha: repo.commits.rename,
      subject: "Rename strings helper to text",
      author: "Ada Lovelace",
    });
    const files = [...diff.files].sort((a, b) => a.path.localeCompare(b.path));
    expect(files.map((f) => [f.path, f.status, f.previousPath])).toEqual([
      ["libs/util/text.ts", "renamed", "libs/util/strings.ts"],
      ["services/payments/app/charges.py", "modified", undefined],
    ]);
    expect(files[0]!.patch).toBeNull();
    expect(files[1]!.patch).toMatch(/^@@ .* @@/);
    expect(files[1]!.patch).toContain("+    assert amount > 0");
    const first = await host().diff(repo.commits.initial);
    expect(first.files.every((f) => f.status === "added")).toBe(true);
    expect((await rejection(host().diff("0".repeat(40)))).kind).toBe("input");
  });
});

describe("the local checkout", () => {
  it("reads the working tree by default, tracked files only", async () => {
    const host = hosts.local!;
    const path = join(repo.dir, "README.md");
    writeFileSync(path, "# Acme, edited\n");
    writeFileSync(join(repo.dir, ".env"), "STRIPE_KEY=sk_live_1234567890abcdef\n");
    try {
      expect(await host.readFile("README.md")).toBe("# Acme, edited\n");
      expect(await host.readFile("README.md", "main")).toBe("# Acme\n");
      expect(await host.readFile(".env")).toBeNull();
    } finally {
      writeFileSync(path, SOURCE_FILES["README.md"]!);
      unlinkSync(join(repo.dir, ".env"));
    }
  });

  it("refuses a working-tree file that was swapped for a symlink leaving the repository", async () => {
    const host = new LocalGitHost("acme/monorepo", repo.dir);
    const path = join(repo.dir, "docs/guide.md");
    unlinkSync(path);
    symlinkSync("/etc/hostname", path);
    try {
      expect((await rejection(host.readFile("docs/guide.md"))).message).toMatch(/outside the repository/);
    } finally {
      unlinkSync(path);
      writeFileSync(path, SOURCE_FILES["docs/guide.md"]!);
    }
  });

  it("says when a path is not a git checkout", async () => {
    const dir = mkdtempSync(join(tmpdir(), "autofix-nogit-"));
    try {
      const error = await rejection(new LocalGitHost("x", dir).listFiles("main"));
      expect(error.kind).toBe("config");
      expect(error.message).toMatch(/not a usable git checkout/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the GitHub host", () => {
  const make = (options: Partial<ConstructorParameters<typeof GitHubHost>[0]> & { url: string }) =>
    new GitHubHost({ repo: "acme/monorepo", token: TOKEN, apiUrl: options.url, logger: silent, ...options });

  it("caches the tree per commit and walks subtrees when GitHub truncates it", async () => {
    const fake = await startFakeGitHub({
      repos: { "acme/monorepo": { dir: repo.dir } },
      token: null,
      truncateTreesAt: 5,
    });
    try {
      const host = make({ url: fake.url, token: null });
      const files = await host.listFiles("main");
      expect(files.sort()).toEqual((await hosts.local!.listFiles("main")).sort());
      const trees = fake.requests.filter((r) => r.path.includes("/git/trees/")).length;
      expect(trees).toBeGreaterThan(5);
      await host.listFiles("main");
      expect(fake.requests.filter((r) => r.path.includes("/git/trees/")).length).toBe(trees);
    } finally {
      await fake.close();
    }
  });

  it("reads files over GitHub's contents-size limit through the blob API", async () => {
    const fake = await startFakeGitHub({
      repos: { "acme/monorepo": { dir: repo.dir } },
      token: null,
      largeFileBytes: 10,
    });
    try {
      expect(await make({ url: fake.url, token: null }).readFile(DISCOUNTS, "main")).toContain(
        "rules.get(normalized)",
      );
      expect(fake.requests.some((r) => r.path.includes("/git/blobs/"))).toBe(true);
    } finally {
      await fake.close();
    }
  });

  it("asks GitHub Enterprise's GraphQL endpoint for blame", () => {
    expect(github.requests.some((r) => r.path === "/api/graphql")).toBe(true);
  });

  it("turns a used-up rate limit into an upstream error that says when to retry", async () => {
    github.exhaustRateLimit(30);
    try {
      const error = await rejection(make({ url: github.url }).readFile("README.md", "main"));
      expect(error).toMatchObject({ kind: "upstream", service: "GitHub", status: 403 });
      expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(29);
      expect(error.retryAfterSeconds).toBeLessThanOrEqual(31);
      expect(error.message).toMatch(/rate limit/);
    } finally {
      github.restore();
    }
  });

  it("blames a bad token on the operator, and an unknown repository too", async () => {
    const bad = await rejection(
      make({ url: github.url, token: "ghp_wrong0000000000000000000000000000000" }).listFiles("main"),
    );
    expect(bad).toMatchObject({ kind: "config" });
    expect(bad.message).toMatch(/GITHUB_TOKEN/);
    const missing = await rejection(make({ url: github.url, repo: "acme/nope" }).defaultBranch());
    expect(missing.kind).toBe("config");
    expect(missing.message).toMatch(/no repository acme\/nope/);
  });

  it("reports an unreachable GitHub as upstream, after one retry", async () => {
    const error = await rejection(make({ url: "http://127.0.0.1:9/api/v3" }).defaultBranch());
    expect(error).toMatchObject({ kind: "upstream", service: "GitHub" });
  });

  it("sends a second copy of a read that does not answer, and uses the first answer", async () => {
    github.fail({ match: /\/contents\//, kind: "hang", times: 1 });
    try {
      const hedger = new Hedger({ floorMs: 50, capMs: 100 });
      const host = make({ url: github.url, hedger });
      const before = github.requests.filter((r) => r.path.includes("/contents/")).length;
      expect(await host.readFile("README.md", "main")).toBe("# Acme\n");
      expect(github.requests.filter((r) => r.path.includes("/contents/")).length - before).toBe(2);
      expect(hedger.hedges).toBe(1);
    } finally {
      github.restore();
    }
  });

  it("stops at the call's deadline with an error that says so, long before its own timeout", async () => {
    github.fail({ match: /./, kind: "hang" });
    const deadline = startDeadline(500);
    try {
      const host = make({ url: github.url, hedger: new Hedger({ floorMs: 50, capMs: 100 }) });
      const started = Date.now();
      const error = await rejection(host.readFile("README.md", "main", deadline.signal));
      expect(error).toMatchObject({ kind: "upstream", service: "GitHub" });
      expect(error.message).toMatch(
        /GitHub did not answer for acme\/monorepo within this call's 500 ms deadline/,
      );
      // The request timeout is 15 s; the deadline is what ended it.
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      deadline.dispose();
      github.restore();
    }
  });

  it("never sends a GraphQL query (a POST) twice", async () => {
    github.fail({ match: /graphql/, kind: "hang" });
    const deadline = startDeadline(800);
    try {
      const host = make({ url: github.url, hedger: new Hedger({ floorMs: 50, capMs: 100 }) });
      const before = github.requests.filter((r) => r.path.includes("graphql")).length;
      await rejection(host.blame("README.md", "main", deadline.signal));
      expect(github.requests.filter((r) => r.path.includes("graphql")).length - before).toBe(1);
    } finally {
      deadline.dispose();
      github.restore();
    }
  });

  it("never leaks the token into errors", async () => {
    const error = await rejection(make({ url: github.url, repo: "acme/nope" }).defaultBranch());
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain(TOKEN);
    expect(readFileSync(join(repo.dir, "README.md"), "utf8")).toBe("# Acme\n");
  });
});
