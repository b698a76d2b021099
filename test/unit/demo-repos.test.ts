import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAY } from "../../src/sandbox/demo/common.ts";
import { DEMO, demoScenario } from "../../src/sandbox/demo/index.ts";
import {
  buildDemoRepos,
  type DemoRepo,
  STACKED_COUPONS_SUBJECT,
} from "../../src/sandbox/demo/repos/index.ts";
import type { Json } from "../../src/sandbox/scenario.ts";

const NOW = Date.parse("2026-11-28T12:00:00Z");
const scenario = demoScenario(NOW);

interface InAppFrame {
  project: string;
  where: string;
  absPath: string;
  lineNo: number;
  context: Array<[number, string]>;
}

/** Every in-app frame of every demo event's exception entries, tagged with its issue's project. */
function eventFrames(): InAppFrame[] {
  const out: InAppFrame[] = [];
  for (const { issue, events } of scenario.issues) {
    const project = String((issue.project as Json).slug);
    for (const event of events) {
      for (const entry of event.entries as Json[]) {
        if (entry.type !== "exception") continue;
        for (const value of (entry.data as Json).values as Json[]) {
          for (const f of ((value.stacktrace as Json | null)?.frames as Json[] | undefined) ?? []) {
            if (f.inApp !== true) continue;
            out.push({
              project,
              where: `${issue.shortId} ${String(event.eventID).slice(0, 8)} ${f.function}`,
              absPath: String(f.absPath),
              lineNo: Number(f.lineNo),
              context: f.context as Array<[number, string]>,
            });
          }
        }
      }
    }
  }
  return out;
}

/** The in-app frames of the ORDERS-API-7D profile (no context: they must exist at their lines). */
function profileFrames(): InAppFrame[] {
  const profile = scenario.profiles?.[DEMO.profileC] as Json;
  return ((profile.profile as Json).frames as Json[])
    .filter((f) => f.in_app === true)
    .map((f) => ({
      project: "orders-api",
      where: `profile ${f.function}`,
      absPath: String(f.abs_path),
      lineNo: Number(f.lineno),
      context: [],
    }));
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", args, { cwd, encoding: "utf8", env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1" } });

describe("demo repositories", () => {
  let dir: string;
  let repos: DemoRepo[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "demo-repos-"));
    repos = await buildDemoRepos(join(dir, "a"), NOW);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const repoFor = (project: string) => {
    const repo = repos.find((r) => r.projects.includes(project));
    if (!repo) throw new Error(`no demo repo for ${project}`);
    return repo;
  };

  /** The repo-relative path that is a suffix of the frame's path. */
  const fileFor = (repo: DemoRepo, absPath: string): string => {
    const tracked = git(repo.path, "ls-files").split("\n").filter(Boolean);
    const hits = tracked.filter((t) => absPath === t || absPath.endsWith(`/${t}`));
    expect(hits, `${absPath} in ${repo.name}`).toHaveLength(1);
    return hits[0]!;
  };

  it("builds the three repositories for the three projects", () => {
    expect(repos.map((r) => [r.name, r.projects])).toEqual([
      ["acme/orders-api", ["orders-api"]],
      ["acme/storefront", ["storefront"]],
      ["acme/payments", ["payments"]],
    ]);
    for (const r of repos) expect(git(r.path, "status", "--porcelain")).toBe("");
  });

  it("has every in-app event frame's file, with the frame's context at the same lines", () => {
    const frames = eventFrames();
    expect(frames.length).toBeGreaterThanOrEqual(9);
    for (const f of frames) {
      const repo = repoFor(f.project);
      const file = fileFor(repo, f.absPath);
      const lines = readFileSync(join(repo.path, file), "utf8").split("\n");
      expect(f.context.length, f.where).toBeGreaterThan(0);
      expect(
        f.context.some(([n]) => n === f.lineNo),
        f.where,
      ).toBe(true);
      for (const [n, code] of f.context) expect(lines[n - 1], `${f.where} ${file}:${n}`).toBe(code);
    }
  });

  it("has the profile's in-app frames at their lines, and the N+1 inside loadItems", () => {
    const frames = profileFrames();
    expect(frames.map((f) => f.where).sort()).toEqual([
      "profile getOrders",
      "profile listOrders",
      "profile loadItems",
      "profile serializeOrder",
    ]);
    const repo = repoFor("orders-api");
    for (const f of frames) {
      const file = fileFor(repo, f.absPath);
      const lines = readFileSync(join(repo.path, file), "utf8").split("\n");
      const fn = f.where.replace("profile ", "");
      // The nearest function header at or above the line is the frame's function.
      const header = lines
        .slice(0, f.lineNo)
        .reverse()
        .find((l) => /^(export )?(async )?function /.test(l));
      expect(header, f.where).toMatch(new RegExp(`function ${fn}\\(`));
      expect(lines[f.lineNo - 1]?.trim(), f.where).not.toBe("");
    }
    const service = readFileSync(join(repo.path, "src/services/order-service.ts"), "utf8").split("\n");
    expect(service[87]).toContain("SELECT * FROM order_items WHERE order_id = $1");
    expect(service[71]).toMatch(/for \(const row of rows\).*await loadItems\(row\.id\)/);
  });

  it("dates the stacked-coupons commit in the 21 days before ORDERS-API-7A's firstSeen, with percent in its diff", () => {
    const repo = repoFor("orders-api");
    const log = git(repo.path, "log", "--format=%H%x09%at%x09%an%x09%s").trim().split("\n");
    expect(log.length).toBeGreaterThanOrEqual(4);
    expect(log.length).toBeLessThanOrEqual(7);
    const hit = log.map((l) => l.split("\t")).find((c) => c[3] === STACKED_COUPONS_SUBJECT);
    expect(hit, "stacked-coupons commit").toBeDefined();
    const [sha, at, author] = hit!;
    const firstSeen = Date.parse(String(scenario.issues[0]!.issue.firstSeen));
    expect(scenario.issues[0]!.issue.shortId).toBe(DEMO.ordersIssueShortId);
    const committed = Number(at) * 1000;
    expect(committed).toBeLessThan(firstSeen);
    expect(committed).toBeGreaterThan(firstSeen - 21 * DAY);
    expect(author).toBe("Priya Raman");
    const diff = git(repo.path, "show", "--format=", sha!, "--", "src/pricing/discounts.ts");
    expect(diff).toMatch(/^[-+].*\bpercent\b/m);
    expect(diff).toMatch(/^\+\s+return total \* \(1 - rule\.percent \/ 100\);$/m);
  });

  it("has the coding-agent rules files in orders-api and AGENTS.md in payments", () => {
    const orders = repoFor("orders-api").path;
    expect(readFileSync(join(orders, "CLAUDE.md"), "utf8")).toMatch(/^@AGENTS\.md$/m);
    const mdc = readFileSync(join(orders, ".cursor/rules/pricing.mdc"), "utf8");
    expect(mdc).toMatch(/^---\ndescription: .+\nglobs: src\/pricing\/\*\*\nalwaysApply: false\n---\n/);
    for (const f of ["AGENTS.md", ".github/copilot-instructions.md"])
      expect(existsSync(join(orders, f))).toBe(true);
    expect(existsSync(join(repoFor("payments").path, "AGENTS.md"))).toBe(true);
  });

  it("produces the same HEADs for the same now", async () => {
    const again = await buildDemoRepos(join(dir, "b"), NOW);
    const heads = (rs: DemoRepo[]) => rs.map((r) => git(r.path, "rev-parse", "HEAD").trim());
    expect(heads(again)).toEqual(heads(repos));
    // Rebuilding over an existing build (reused or not) keeps the same HEADs too.
    const reused = await buildDemoRepos(join(dir, "a"), NOW);
    expect(heads(reused)).toEqual(heads(repos));
  });
});
