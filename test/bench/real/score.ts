import type { RealCase } from "./defects4j.ts";
import { classFile } from "./defects4j.ts";

/**
 * Scoring against the real fix: a ranked list hits at k when one of its first k entries names a file the fix
 * changed (file@k), or that file and one of the methods the fix changed in it (function@k). The baseline is
 * what an engineer gets from reading the stack: the in-app, non-test frames nearest the throw, in order.
 */

export interface Ranked {
  path: string | null;
  function: string | null;
}

export interface Scored {
  file1: boolean;
  file3: boolean;
  fn1: boolean;
  fn3: boolean;
}

/** `pkg.Class.method`, `Class#method`, `<init>` (the class's constructor) → the bare method name. */
export function methodName(fn: string | null, path: string | null): string | null {
  if (!fn) return null;
  let name = fn.split(/[.:#]/).pop() ?? fn;
  const lambda = /^lambda\$([\w$]+?)\$\d+$/.exec(name);
  if (lambda) name = lambda[1]!;
  if (name === "<init>" && path)
    name = path
      .split("/")
      .pop()!
      .replace(/\.\w+$/, "");
  return name;
}

export function score(c: RealCase, ranked: Ranked[]): Scored {
  const hitFile = (r: Ranked) => r.path !== null && c.gold.files.includes(r.path);
  const hitFn = (r: Ranked) =>
    hitFile(r) && (c.gold.methods[r.path!] ?? []).includes(methodName(r.function, r.path) ?? "");
  return {
    file1: ranked.slice(0, 1).some(hitFile),
    file3: ranked.slice(0, 3).some(hitFile),
    fn1: ranked.slice(0, 1).some(hitFn),
    fn3: ranked.slice(0, 3).some(hitFn),
  };
}

const isTestPath = (c: RealCase, path: string) =>
  path.startsWith(`${c.testDir}/`) || /(^|\/)Test[^/]*\.java$|Tests?\.java$/.test(path);

/** Innermost in-app non-test frames, the origin's stack first, then each enclosing exception's. */
export function baseline(c: RealCase): Ranked[] {
  const out: Ranked[] = [];
  const seen = new Set<string>();
  for (const e of [...c.exceptions].reverse()) {
    for (const f of [...e.frames].reverse()) {
      if (!c.inApp.some((p) => f.className.startsWith(p))) continue;
      const path = `${c.srcDir}/${classFile(f.className, f.file)}`;
      if (!c.files.has(path) || isTestPath(c, path)) continue;
      const key = `${path}#${f.method}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ path, function: f.method });
    }
  }
  return out;
}

export interface Row {
  c: RealCase;
  ours: Scored;
  naive: Scored;
  confidence: string;
  ms: number;
  candidates: Ranked[];
}

const pct = (xs: boolean[]) =>
  xs.length === 0 ? "–" : `${Math.round((100 * xs.filter(Boolean).length) / xs.length)}%`;

export function table(rows: Row[], title: string): string {
  const groups = new Map<string, Row[]>();
  for (const r of rows) groups.set(r.c.project, [...(groups.get(r.c.project) ?? []), r]);
  groups.set("all", rows);
  const lines = [
    `### ${title}`,
    "",
    "| project | cases | file@1 ours / naive | file@3 ours / naive | function@1 ours / naive | function@3 ours / naive |",
    "|---|---|---|---|---|---|",
  ];
  for (const [name, rs] of groups) {
    const col = (k: keyof Scored) => `${pct(rs.map((r) => r.ours[k]))} / ${pct(rs.map((r) => r.naive[k]))}`;
    lines.push(
      `| ${name} | ${rs.length} | ${col("file1")} | ${col("file3")} | ${col("fn1")} | ${col("fn3")} |`,
    );
  }
  lines.push("", "| confidence | cases | right at file@1 |", "|---|---|---|");
  for (const level of ["high", "medium", "low"]) {
    const rs = rows.filter((r) => r.confidence === level);
    lines.push(`| ${level} | ${rs.length} | ${pct(rs.map((r) => r.ours.file1))} |`);
  }
  const ms = rows.map((r) => r.ms).sort((a, b) => a - b);
  const q = (p: number) => Math.round(ms[Math.min(ms.length - 1, Math.floor(p * ms.length))] ?? 0);
  lines.push("", `latency per analysis: p50 ${q(0.5)} ms, p95 ${q(0.95)} ms, max ${q(1)} ms`);
  return lines.join("\n");
}
