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
    const fn = await exercised(code, [t, ...[...tests].reverse().filter((f) => f !== t)], source, lang);
    const [first = weight, second = 0] = scores;
    out.push({
      repo: t.repo,
      path: subject,
      line: fn ? definitionLine(source, fn.name, lang) : null,
      function: fn?.name ?? null,
      score: frames[0]?.test ? first + 0.05 : (first + second) / 2,
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
