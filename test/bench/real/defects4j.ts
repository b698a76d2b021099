import { execFileSync } from "node:child_process";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { changedBuggyLines, type JavaException, javaMethods, parseJavaTrace } from "./java.ts";

/**
 * Real crashes from Defects4J: each bug's failing tests with the stack traces the JVM printed, the upstream
 * repository at the buggy version, and the gold standard: the main-source files and methods the real fix
 * changed, located in the buggy version.
 *
 * Defects4J's buggy version is not `revision.id.buggy`: it is the fixed revision with the minimized source patch
 * applied (`Project.pm` checks out the fixed revision and applies `patches/<id>.src.patch`), and the traces'
 * line numbers are lines of that text. The fix commit often also reformats or documents the file it fixes,
 * so in most cases `revision.id.buggy` has other line numbers. Each case therefore gets a replay commit,
 * written into a scratch repository that borrows the mirror's objects: the fixed tree with the patch applied,
 * child of `revision.id.buggy`, dated after the issue was first seen so that it is never part of the
 * regression window (its diff is the fix commit's unrelated edits, which would leak the gold file). Only the projects the ranking may be tuned on are listed; the
 * other Defects4J projects are held out and this bench refuses them.
 */

export const TUNING_PROJECTS: Record<string, { upstream: string; inApp: string[] }> = {
  Lang: { upstream: "apache/commons-lang", inApp: ["org.apache.commons.lang"] },
  Math: { upstream: "apache/commons-math", inApp: ["org.apache.commons.math"] },
  Closure: { upstream: "google/closure-compiler", inApp: ["com.google.javascript", "com.google.debugging"] },
  Cli: { upstream: "apache/commons-cli", inApp: ["org.apache.commons.cli"] },
  Codec: { upstream: "apache/commons-codec", inApp: ["org.apache.commons.codec"] },
  Collections: { upstream: "apache/commons-collections", inApp: ["org.apache.commons.collections"] },
  Compress: { upstream: "apache/commons-compress", inApp: ["org.apache.commons.compress"] },
  Csv: { upstream: "apache/commons-csv", inApp: ["org.apache.commons.csv"] },
  JxPath: { upstream: "apache/commons-jxpath", inApp: ["org.apache.commons.jxpath"] },
};

export interface Gold {
  /** Repository-relative main-source files the fix changes. */
  files: string[];
  /** Methods (and constructors, by class name) the fix changes, per file. */
  methods: Record<string, string[]>;
}

export interface RealCase {
  project: string;
  bug: number;
  test: string;
  buggySha: string;
  srcDir: string;
  testDir: string;
  /** Outermost first, as printed. */
  exceptions: JavaException[];
  inApp: string[];
  gold: Gold;
  /** "main": a frame in main source is on the stack; "test-only": only test code is in-app. */
  tier: "main" | "test-only";
  /** When `revision.id.buggy` was committed: the issue is first seen a day later. */
  commitDate: string;
  /** Every file of the repository in the buggy version. */
  files: Set<string>;
}

export interface Mirrors {
  d4j: string;
  /** The upstream mirror. */
  repo(project: string): string;
  /** The scratch repository holding the replay commits (see above); the analysis reads this one. */
  replay(project: string): string;
}

export function mirrors(root: string, scratch: string): Mirrors {
  const d4j = join(root, "rjust+defects4j", "repo");
  if (!existsSync(d4j))
    throw new Error(`no Defects4J mirror at ${d4j}: fetch rjust/defects4j first (see docs/real-bench.md)`);
  return {
    d4j,
    repo(project) {
      const upstream = TUNING_PROJECTS[project]?.upstream;
      if (!upstream) throw new Error(`${project} is not a tuning project (held out or unknown)`);
      const path = join(root, upstream.replace("/", "+"), "repo");
      if (!existsSync(path)) throw new Error(`no mirror of ${upstream} at ${path}`);
      return path;
    },
    replay(project) {
      const path = join(scratch, `${project}.git`);
      if (existsSync(path)) return path;
      const upstream = this.repo(project);
      git(scratch, ["init", "--bare", "-q", path]);
      writeFileSync(join(path, "objects", "info", "alternates"), `${join(upstream, "objects")}\n`);
      const head = git(upstream, ["rev-parse", "HEAD"]).trim();
      git(path, ["update-ref", "HEAD", head]);
      return path;
    },
  };
}

const DAY = 24 * 3_600_000;

/** The Defects4J buggy version as a commit in the scratch repository; null when the patch does not apply. */
function replayCommit(
  scratch: string,
  bug: { id: number; buggy: string; fixed: string },
  patch: string,
  commitDate: string,
): string | null {
  const index = join(scratch, `index-${bug.id}`);
  const patchFile = join(scratch, `patch-${bug.id}`);
  writeFileSync(patchFile, patch);
  const env = { ...process.env, GIT_INDEX_FILE: index };
  // Two days after the buggy revision: a day after the issue was first seen, well past the window's end.
  const at = new Date(Date.parse(commitDate) + 2 * DAY).toISOString();
  try {
    const run = (args: string[], extra: Record<string, string> = {}) =>
      execFileSync("git", ["-C", scratch, ...args], { encoding: "utf8", env: { ...env, ...extra } }).trim();
    run(["read-tree", bug.fixed]);
    run(["apply", "--cached", "--whitespace=nowarn", patchFile]);
    const tree = run(["write-tree"]);
    const names = { GIT_AUTHOR_NAME: "defects4j", GIT_AUTHOR_EMAIL: "d4j@localhost", GIT_AUTHOR_DATE: at };
    return run(["commit-tree", tree, "-p", bug.buggy, "-m", `Defects4J buggy version of bug ${bug.id}`], {
      ...names,
      GIT_COMMITTER_NAME: names.GIT_AUTHOR_NAME,
      GIT_COMMITTER_EMAIL: names.GIT_AUTHOR_EMAIL,
      GIT_COMMITTER_DATE: at,
    });
  } catch {
    return null;
  } finally {
    rmSync(index, { force: true });
    rmSync(patchFile, { force: true });
  }
}

export function git(dir: string, args: string[]): string {
  return execFileSync("git", ["-C", dir, ...args], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
}

function tryGit(dir: string, args: string[]): string | null {
  try {
    return git(dir, args);
  } catch {
    return null;
  }
}

const show = (dir: string, path: string) => tryGit(dir, ["show", `HEAD:${path}`]);

export function loadCases(m: Mirrors, project: string, limit = Number.POSITIVE_INFINITY): RealCase[] {
  const spec = TUNING_PROJECTS[project];
  if (!spec) throw new Error(`${project} is not a tuning project (held out or unknown)`);
  const base = `framework/projects/${project}`;
  const upstream = m.repo(project);
  const repo = m.replay(project);
  const layout = new Map(
    (show(m.d4j, `${base}/dir-layout.csv`) ?? "")
      .trim()
      .split("\n")
      .map((l) => l.split(","))
      .map(([sha, src, test]) => [sha!, { src: src!, test: test! }]),
  );
  const bugs = (show(m.d4j, `${base}/active-bugs.csv`) ?? "")
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => l.split(","))
    .map(([id, buggy, fixed]) => ({ id: Number(id), buggy: buggy!, fixed: fixed! }));
  const out: RealCase[] = [];
  for (const bug of bugs) {
    if (out.length >= limit) break;
    const dirs = layout.get(bug.buggy);
    const traces = show(m.d4j, `${base}/trigger_tests/${bug.id}`);
    const patch = show(m.d4j, `${base}/patches/${bug.id}.src.patch`);
    if (!dirs || !traces || !patch) continue;
    const commitDate = git(upstream, ["show", "-s", "--format=%cI", bug.buggy]).trim();
    const sha = replayCommit(repo, bug, patch, commitDate);
    if (!sha) {
      process.stderr.write(
        `${project}-${bug.id}: the Defects4J patch does not apply to the fixed revision\n`,
      );
      continue;
    }
    const files = new Set(
      (tryGit(repo, ["ls-tree", "-r", "--name-only", sha]) ?? "").split("\n").filter(Boolean),
    );
    const gold = goldOf(repo, sha, patch, files);
    if (gold.files.length === 0) continue;
    const chosen = chooseTrace(traces, spec.inApp, dirs.src, files);
    if (!chosen) continue;
    out.push({
      project,
      bug: bug.id,
      test: chosen.test,
      buggySha: sha,
      srcDir: dirs.src,
      testDir: dirs.test,
      exceptions: chosen.exceptions,
      inApp: spec.inApp,
      gold,
      tier: chosen.tier,
      commitDate,
      files,
    });
  }
  return out;
}

/** The first failing test whose trace reaches main source; else the first whose in-app frames are tests. */
function chooseTrace(
  text: string,
  inApp: string[],
  srcDir: string,
  files: Set<string>,
): { test: string; exceptions: JavaException[]; tier: RealCase["tier"] } | null {
  let fallback: { test: string; exceptions: JavaException[]; tier: RealCase["tier"] } | null = null;
  for (const block of text.split(/^--- /m).filter((b) => b.trim())) {
    const [head, ...rest] = block.split("\n");
    const exceptions = parseJavaTrace(rest.join("\n"));
    const frames = exceptions.flatMap((e) => e.frames);
    const own = frames.filter((f) => inApp.some((p) => f.className.startsWith(`${p}`)));
    if (own.length === 0) continue;
    const main = own.some((f) => files.has(`${srcDir}/${classFile(f.className, f.file)}`));
    if (main) return { test: head!.trim(), exceptions, tier: "main" };
    fallback ??= { test: head!.trim(), exceptions, tier: "test-only" };
  }
  return fallback;
}

export function classFile(className: string, file: string | null): string {
  const parts = className.split("$")[0]!.split(".");
  return [...parts.slice(0, -1), file ?? `${parts.at(-1)}.java`].join("/");
}

function goldOf(repo: string, sha: string, patch: string, files: Set<string>): Gold {
  const gold: Gold = { files: [], methods: {} };
  for (const [file, lines] of changedBuggyLines(patch)) {
    if (!files.has(file) || !file.endsWith(".java")) continue;
    gold.files.push(file);
    const source = tryGit(repo, ["show", `${sha}:${file}`]) ?? "";
    const methods = javaMethods(source);
    const names = new Set<string>();
    for (const line of lines) {
      // Every method the line sits in: a change inside an anonymous class counts for the outer method too.
      for (const m of methods) if (line >= m.start && line <= m.end) names.add(m.name);
    }
    gold.methods[file] = [...names];
  }
  return gold;
}
