import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Json } from "../../src/sandbox/scenario.ts";
import { type BuiltRepo, type BuiltScenario, buildRepos, loadCorpus } from "../scenarios/harness.ts";
import { CORPUS_NOW, type CorpusScenario } from "../scenarios/types.ts";

/**
 * The corpus is ground truth for the root-cause stage, so its data must be self-consistent: every SHA
 * placeholder filled, every in-app frame's context equal to the file at the event's release, the expected
 * culprit present in its repository, events grouped under their issue.
 */

const corpus = loadCorpus();
const root = mkdtempSync(join(tmpdir(), "autofix-corpus-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const gitEnv = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: root,
  GIT_CONFIG_NOSYSTEM: "1",
  LC_ALL: "C",
};
const git = (repo: BuiltRepo, args: string[]): string =>
  execFileSync("git", args, { cwd: repo.path, env: gitEnv, encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });

const fileCache = new Map<string, string | null>();
function fileAt(repo: BuiltRepo, sha: string, path: string): string | null {
  const key = `${repo.path}\0${sha}\0${path}`;
  if (!fileCache.has(key)) {
    try {
      fileCache.set(key, git(repo, ["show", `${sha}:${path}`]));
    } catch {
      fileCache.set(key, null);
    }
  }
  return fileCache.get(key)!;
}
const filesAt = (repo: BuiltRepo, sha: string): string[] =>
  git(repo, ["ls-tree", "-r", "--name-only", sha]).split("\n").filter(Boolean);
const head = (repo: BuiltRepo): string => repo.shas.at(-1)!;

function stripPath(p: string): string {
  return p
    .replace(/^webpack:\/\/[^/]*\//, "")
    .replace(/^app:\/\/\//, "")
    .replace(/^https?:\/\/[^/]+\//, "")
    .replace(/^(\.\/)+/, "")
    .replace(/^\/+/, "");
}

/** The repository file a frame refers to, by absPath, filename or (JVM) module. */
function resolveFrame(frame: Json, files: string[]): string | null {
  const candidates: string[] = [];
  for (const key of ["absPath", "filename"]) {
    const v = frame[key];
    if (typeof v === "string" && v !== "") candidates.push(stripPath(v));
  }
  const module = frame.module;
  if (typeof module === "string" && String(frame.filename ?? "").endsWith(".java")) {
    candidates.unshift(`${module.split("$")[0]!.replace(/\./g, "/")}.java`);
  }
  for (const c of candidates) {
    if (!c.includes("/") && !c.includes(".")) continue;
    const hits = files.filter((f) => f === c || c.endsWith(`/${f}`) || f.endsWith(`/${c}`));
    if (hits.length === 1) return hits[0]!;
  }
  return null;
}

function exceptionFrames(event: Json): Json[] {
  const out: Json[] = [];
  for (const entry of (event.entries as Json[] | undefined) ?? []) {
    if (entry.type !== "exception") continue;
    for (const value of ((entry.data as Json).values as Json[]) ?? []) {
      const frames = ((value.stacktrace as Json | null)?.frames as Json[] | undefined) ?? [];
      out.push(...frames);
    }
  }
  return out;
}

const lines = (text: string): string[] => {
  const all = text.split("\n");
  if (all.at(-1) === "") all.pop();
  return all;
};

describe.each(corpus.map((s) => [s.name, s] as const))("%s", (_name, scenario: CorpusScenario) => {
  let built: BuiltScenario;
  beforeAll(async () => {
    built = await buildRepos(scenario, join(root, scenario.name));
  });

  const repo = (name: string): BuiltRepo => {
    const r = built.repos.find((x) => x.name === name);
    if (!r) throw new Error(`no repository ${name}`);
    return r;
  };

  it("builds every repository with one commit per RepoCommit", () => {
    for (const spec of scenario.repos) {
      const r = repo(spec.name);
      expect(r.shas).toHaveLength(spec.commits.length);
      expect(new Set(r.shas).size).toBe(spec.commits.length);
      expect(git(r, ["rev-list", "--count", "HEAD"]).trim()).toBe(String(spec.commits.length));
      const subject = git(r, ["log", "-1", "--format=%an <%ae> %aI", head(r)]).trim();
      const last = spec.commits.at(-1)!;
      expect(subject).toBe(`${last.author} <${last.email}> ${last.date.replace(/\.\d{3}Z$/, "+00:00")}`);
    }
  });

  it("fills every SHA placeholder", () => {
    expect(JSON.stringify(built.sentry)).not.toMatch(/\{\{(sha|short):/);
  });

  it("has the analysed issue, with its events grouped under it", () => {
    const found = built.sentry.issues.find((i) => i.issue.shortId === scenario.issue);
    expect(found, scenario.issue).toBeDefined();
    expect(found!.events.length).toBeGreaterThan(0);
    for (const { issue, events } of built.sentry.issues) {
      const project = issue.project as Json;
      expect(built.sentry.projects.some((p) => p.slug === project.slug && p.id === project.id)).toBe(true);
      for (const event of events) {
        expect(event.groupID).toBe(issue.id);
        expect(event.projectID).toBe(project.id);
        expect(event.eventID).toBe(event.id);
      }
    }
  });

  it("points releases at commits of the repositories", () => {
    const allShas = new Set(built.repos.flatMap((r) => r.shas));
    for (const [version, rel] of Object.entries(built.sentry.releases ?? {})) {
      expect(rel.version).toBe(version);
      if (rel.ref !== null) expect(allShas.has(String(rel.ref)), `${version} ref`).toBe(true);
      const last = rel.lastCommit as Json | null;
      if (last) expect(last.id).toBe(rel.ref);
    }
    for (const commits of Object.values(built.sentry.releaseCommits ?? {})) {
      for (const c of commits) expect(allShas.has(String(c.id))).toBe(true);
    }
    for (const body of Object.values(built.sentry.committers ?? {})) {
      for (const who of body.committers as Json[]) {
        for (const c of who.commits as Json[]) expect(allShas.has(String(c.id))).toBe(true);
      }
    }
  });

  it("keeps a consistent timeline: commits, then releases, then events", () => {
    const commitDate = new Map<string, number>();
    for (const spec of scenario.repos) {
      const dates = spec.commits.map((c) => Date.parse(c.date));
      expect(dates, spec.name).toEqual([...dates].sort((a, b) => a - b));
      expect(Math.max(...dates)).toBeLessThan(CORPUS_NOW);
      for (const [i, sha] of repo(spec.name).shas.entries()) commitDate.set(sha, dates[i]!);
    }
    for (const rel of Object.values(built.sentry.releases ?? {})) {
      if (typeof rel.ref === "string") {
        expect(Date.parse(String(rel.dateCreated)), String(rel.version)).toBeGreaterThan(
          commitDate.get(rel.ref)!,
        );
      }
    }
    for (const { issue, events } of built.sentry.issues) {
      for (const event of events) {
        const created = Date.parse(String(event.dateCreated));
        expect(created).toBeLessThanOrEqual(CORPUS_NOW);
        expect(created).toBeGreaterThanOrEqual(Date.parse(String(issue.firstSeen)));
        expect(created).toBeLessThanOrEqual(Date.parse(String(issue.lastSeen)));
        const rel = event.release as Json | null;
        if (rel) expect(created, String(rel.version)).toBeGreaterThan(Date.parse(String(rel.dateReleased)));
      }
    }
  });

  it("gives in-app frames the context of the file at the event's release", () => {
    let checked = 0;
    let inAppFrames = 0;
    for (const { issue, events } of built.sentry.issues) {
      const slug = String((issue.project as Json).slug);
      const repos = built.repos.filter((r) => r.connected && r.projects.includes(slug));
      for (const event of events) {
        const frames = exceptionFrames(event).filter((f) => f.inApp === true);
        if (repos.length > 0) inAppFrames += frames.length;
        for (const r of repos) {
          const ref = (event.release as Json | null)?.ref;
          if (typeof ref === "string") expect(r.shas, `${slug} release ref`).toContain(ref);
          const sha = typeof ref === "string" ? ref : head(r);
          const files = filesAt(r, sha);
          for (const f of frames) {
            const path = resolveFrame(f, files);
            if (!path) continue;
            const text = lines(fileAt(r, sha, path)!);
            const where = `${r.name}:${path}:${f.lineNo} (${String(f.function)})`;
            expect(typeof f.lineNo, where).toBe("number");
            const context = f.context as Array<[number, string]>;
            expect(context.length, where).toBeGreaterThan(0);
            expect(
              context.some(([n]) => n === f.lineNo),
              where,
            ).toBe(true);
            for (const [n, line] of context) expect(line, `${where} context line ${n}`).toBe(text[n - 1]);
            checked++;
          }
        }
      }
    }
    if (inAppFrames > 0) expect(checked).toBeGreaterThan(0);
  });

  it("places profile frames on real lines", () => {
    for (const profile of Object.values(built.sentry.profiles ?? {})) {
      const project = built.sentry.projects.find((p) => Number(p.id) === Number(profile.project_id));
      const repos = built.repos.filter((r) => r.connected && r.projects.includes(String(project?.slug)));
      const rel = profile.release as Json | string | null;
      for (const r of repos) {
        const ref = typeof rel === "object" && rel !== null ? String(rel.ref) : head(r);
        const files = filesAt(r, ref);
        for (const f of ((profile.profile as Json).frames as Json[]).filter((x) => x.in_app === true)) {
          const path = resolveFrame({ absPath: f.abs_path, filename: f.filename }, files);
          expect(path, String(f.abs_path)).not.toBeNull();
          const text = lines(fileAt(r, ref, path!)!);
          const line = text[Number(f.lineno) - 1];
          expect(line, `${path}:${f.lineno}`).toBeDefined();
        }
      }
    }
  });

  it("links trace issue refs to issues of the scenario", () => {
    const refs: Json[] = [];
    const walk = (n: Json) => {
      refs.push(
        ...((n.errors as Json[] | undefined) ?? []),
        ...((n.occurrences as Json[] | undefined) ?? []),
      );
      for (const c of (n.children as Json[] | undefined) ?? []) walk(c);
    };
    for (const t of Object.values(built.sentry.traces ?? {}))
      for (const n of (t.nodes ?? []) as Json[]) walk(n);
    for (const ref of refs) {
      const found = built.sentry.issues.find((i) => Number(i.issue.id) === ref.issue_id);
      expect(found, String(ref.short_id)).toBeDefined();
      expect(found!.issue.shortId).toBe(ref.short_id);
      expect(found!.events.some((e) => e.eventID === ref.event_id)).toBe(true);
    }
    for (const { events } of built.sentry.issues) {
      for (const event of events) {
        const trace = ((event.contexts as Json).trace as Json | undefined)?.trace_id;
        if (typeof trace === "string" && built.sentry.traces?.[trace]) {
          expect(JSON.stringify(built.sentry.traces[trace])).toContain(String(event.eventID));
        }
      }
    }
  });

  it("has ground truth that exists in the repositories", () => {
    const exp = scenario.expected;
    if (exp.verdict === "in_app") {
      expect(exp.repo && exp.file && exp.function).toBeTruthy();
      const r = repo(exp.repo!);
      expect(r.connected).toBe(true);
      const text = fileAt(r, head(r), exp.file!);
      expect(text, `${exp.repo}:${exp.file}`).not.toBeNull();
      expect(text).toContain(exp.function!);
    } else {
      expect(exp.file).toBeUndefined();
    }
    if (exp.verdict === "unknown") {
      const analysed = built.sentry.issues.find((i) => i.issue.shortId === scenario.issue)!;
      const slug = String((analysed.issue.project as Json).slug);
      expect(built.repos.filter((r) => r.connected && r.projects.includes(slug))).toEqual([]);
    }
    if (exp.introducedBy) {
      const r = repo(exp.introducedBy.repo);
      expect(r.shas[exp.introducedBy.commit]).toBeDefined();
      expect(exp.introducedBy.commit).toBeGreaterThan(0);
    }
  });
});
