import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { changedBuggyLines, type JavaException, javaMethods, parseJavaTrace } from "./java.ts";

/**
 * Real crashes from Defects4J: each bug's failing tests with the stack traces the JVM printed, the upstream
 * repository at the buggy revision, and the gold standard: the main-source files and methods the real fix
 * changed, located at the buggy revision. Only the projects the ranking may be tuned on are listed; the
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
  commitDate: string;
  /** Every file of the repository at the buggy revision. */
  files: Set<string>;
}

export interface Mirrors {
  d4j: string;
  repo(project: string): string;
}

export function mirrors(root: string): Mirrors {
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
  };
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
  const repo = m.repo(project);
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
    .map(([id, buggy]) => ({ id: Number(id), buggy: buggy! }));
  const out: RealCase[] = [];
  for (const bug of bugs) {
    if (out.length >= limit) break;
    const dirs = layout.get(bug.buggy);
    const traces = show(m.d4j, `${base}/trigger_tests/${bug.id}`);
    const patch = show(m.d4j, `${base}/patches/${bug.id}.src.patch`);
    if (!dirs || !traces || !patch) continue;
    const files = new Set(
      (tryGit(repo, ["ls-tree", "-r", "--name-only", bug.buggy]) ?? "").split("\n").filter(Boolean),
    );
    const gold = goldOf(repo, bug.buggy, patch, files);
    if (gold.files.length === 0) continue;
    const chosen = chooseTrace(traces, spec.inApp, dirs.src, files);
    if (!chosen) continue;
    out.push({
      project,
      bug: bug.id,
      test: chosen.test,
      buggySha: bug.buggy,
      srcDir: dirs.src,
      testDir: dirs.test,
      exceptions: chosen.exceptions,
      inApp: spec.inApp,
      gold,
      tier: chosen.tier,
      commitDate: git(repo, ["show", "-s", "--format=%cI", bug.buggy]).trim(),
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
