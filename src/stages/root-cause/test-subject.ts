import { definitionLine, enclosingFunction, languageOf, producerOf } from "../../analysis/code-structure.ts";
import type { EvidenceSet } from "../../analysis/evidence.ts";
import { testSubject } from "../../code/test-code.ts";
import type { CodeReader, StackView } from "../gather.ts";
import { type Candidate, frameEvidence } from "./candidates.ts";
import type { InAppFrame } from "./stack.ts";

/**
 * The failing test names what it tests: `NumberUtilsTest` tests `NumberUtils`. When the stack passes through
 * the subject, its frame says so and keeps its place (moving it ahead of deeper frames in other classes cost
 * as many cases as it won on bench:real). When it does not (the test checked what the subject
 * produced, or a reader choked on what the subject wrote), the subject is added at the function the test
 * exercised: first when the throw site is the test itself, else second, after the throw site.
 */
export async function subjectOfTest(
  view: StackView,
  evidence: EvidenceSet,
  out: Candidate[],
  frames: InAppFrame[],
  code: CodeReader,
  weight: number,
): Promise<void> {
  const tests = frames.filter((f) => f.test);
  // The test method is the outermost test frame; helpers and base classes it calls sit inside it.
  for (const t of [...tests].reverse()) {
    if (!t.repo || !t.path) continue;
    const subject = testSubject(t.path, code.listFiles(t.repo));
    if (!subject) continue;
    const className = subject
      .split("/")
      .pop()!
      .replace(/\.\w+$/, "");
    const testName = `${t.path.split("/").pop()}${t.frame.function ? ` (${t.frame.function})` : ""}`;
    const scores = out.map((c) => c.score).sort((a, b) => b - a);
    // The subject's best frame so far: the signals above may already have moved the blame within it.
    const onStack = out
      .filter((c) => c.repo === t.repo && c.path === subject)
      .sort((a, b) => b.score - a.score)[0];
    if (onStack) {
      onStack.reasons.push(`the failing test ${testName} tests ${className}`);
      return;
    }
    const source = (await code.read(t.repo, subject)) ?? "";
    // An interface has no code to fix (`FDistributionTest` exercises an implementation of `FDistribution`).
    if (new RegExp(`\\binterface\\s+${className}\\b`).test(source)) continue;
    const lang = languageOf(subject);
    const [first = weight, second = 0] = scores;
    const score = frames[0]?.test ? first + 0.05 : (first + second) / 2;
    const fn = await exercised(code, [t, ...[...tests].reverse().filter((f) => f !== t)], source, lang);
    // The test called code the subject inherits (`DormandPrince853Integrator` runs `AbstractIntegrator`'s):
    // the stack's frame in that ancestor is the subject's code that ran, and leads; the subject follows.
    const parents = fn
      ? new Map<string, string>()
      : await ancestors(code, t.repo, subject, className, source);
    const inherited = out
      .filter((c) => c.repo === t.repo && c.path && parents.has(c.path))
      .sort((a, b) => b.score - a.score)[0];
    if (inherited) {
      inherited.score = Math.max(inherited.score, score);
      inherited.reasons.push(
        `the failing test ${testName} tests ${className}, which runs this code it inherits from ${parents.get(inherited.path!)}`,
      );
    }
    out.push({
      repo: t.repo,
      path: subject,
      line: fn ? definitionLine(source, fn.name, lang) : null,
      function: fn?.name ?? null,
      score: inherited ? Math.min(score, inherited.score) - 0.01 : score,
      reasons: [
        `the failing test ${testName} tests ${className}${fn ? ` and ${fn.how}` : ""}; the stack never reached it`,
      ],
      evidence: [frameEvidence(evidence, view, t.frame, t.index, t.path)],
      source: "test_subject",
    });
    return;
  }
}

/**
 * The classes `className` extends, up to four levels, as repository path → class name: `class A extends B`
 * (Java, Kotlin, TypeScript) or `class A(B):` (Python), each found as a file named after it, nearest the
 * subject's folder first.
 */
async function ancestors(
  code: CodeReader,
  repo: string,
  path: string,
  className: string,
  source: string,
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const files = code.listFiles(repo);
  let [at, name, text] = [path, className, source];
  for (let depth = 0; depth < 4; depth++) {
    const escaped = name.replace(/\$/g, "\\$");
    const parent =
      new RegExp(`\\bclass\\s+${escaped}\\b[^{]*?\\bextends\\s+([A-Za-z_$][\\w$.]*)`).exec(text)?.[1] ??
      new RegExp(`^\\s*class\\s+${escaped}\\s*\\(\\s*([A-Za-z_][\\w.]*)`, "m").exec(text)?.[1];
    const simple = parent?.split(".").pop();
    if (!simple) break;
    const ext = at.slice(at.lastIndexOf("."));
    const dir = at.slice(0, at.lastIndexOf("/") + 1);
    const named = files.filter((f) => f.endsWith(`/${simple}${ext}`) || f === `${simple}${ext}`);
    const next = named.find((f) => f === `${dir}${simple}${ext}`) ?? sharedTail(named, dir);
    if (!next || found.has(next)) break;
    found.set(next, simple);
    [at, name, text] = [next, simple, (await code.read(repo, next)) ?? ""];
  }
  return found;
}

/** The file whose folder shares the longest leading path with `dir`. */
function sharedTail(files: string[], dir: string): string | undefined {
  const common = (f: string) => {
    let n = 0;
    while (n < f.length && n < dir.length && f[n] === dir[n]) n++;
    return n;
  };
  return [...files].sort((a, b) => common(b) - common(a))[0];
}

/**
 * The subject's function a test exercised: one called on a test frame's line, else the one that produced a
 * value the line checks (`result = injector.canInline(…)`, then `assertEquals(expected, result)`). The test
 * method's line first, then its helpers' on the stack, outermost first.
 */
async function exercised(
  code: CodeReader,
  frames: InAppFrame[],
  subject: string,
  lang: ReturnType<typeof languageOf>,
): Promise<{ name: string; how: string } | null> {
  const defined = (n: string) => definitionLine(subject, n, lang) !== null;
  for (const [k, f] of frames.entries()) {
    if (!f.repo || !f.path || !f.frame.lineNo) continue;
    const text = await code.read(f.repo, f.path);
    const line = text?.split("\n")[f.frame.lineNo - 1];
    if (!text || line === undefined) continue;
    const where =
      k === 0 ? "its failing line" : `line ${f.frame.lineNo} of ${f.frame.function ?? "a helper"}`;
    const called = calledNames(line).find(defined);
    if (called) return { name: called, how: `calls ${called} on ${where}` };
    const span = enclosingFunction(text, f.frame.lineNo, languageOf(f.path));
    for (const v of span ? checkedNames(line) : []) {
      const made = producerOf(text, span!, f.frame.lineNo, v);
      if (made && defined(made.fn))
        return {
          name: made.fn,
          how: `checks \`${v}\` on ${where}, the value ${made.fn} returned (line ${made.line})`,
        };
    }
  }
  return null;
}

/** Bare names a line reads as values (`assertEquals(expected, result)` → expected, result). */
function checkedNames(line: string): string[] {
  const text = line.slice(0, 2_000).replace(/"(\\.|[^"\\])*"|'(\\.|[^'\\])*'/g, '""');
  const out: string[] = [];
  for (const m of text.matchAll(/(?<![\w$.])([A-Za-z_$][\w$]*)\b(?!\s*[(.\w$])/g)) {
    const name = m[1]!;
    if (/^(new|return|this|self|null|None|true|false|True|False|nil|undefined)$/.test(name)) continue;
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

/** Names called on a line of code: `Foo.bar(` → bar, `new Foo(` → Foo; keywords and assertions left out. */
function calledNames(line: string): string[] {
  const text = line.slice(0, 2_000).replace(/"(\\.|[^"\\])*"|'(\\.|[^'\\])*'/g, '""');
  const out: string[] = [];
  for (const m of text.matchAll(/(?<![\w$])([A-Za-z_$][\w$]*)\s*\(/g)) {
    const name = m[1]!;
    if (/^(if|for|while|switch|catch|return|new|super|this|assert\w*|expect|fail|verify)$/.test(name))
      continue;
    if (!out.includes(name)) out.push(name);
  }
  return out;
}
