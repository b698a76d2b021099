import { languageOf, readVariable } from "../../analysis/code-structure.ts";
import type { EvidenceSet } from "../../analysis/evidence.ts";
import { exceptionLabel } from "../../analysis/exception-chain.ts";
import {
  buildsExceptionOnly,
  conditionNames,
  fromParameters,
  guardCondition,
  insideLoop,
  passedNames,
  unchangedParameter,
} from "../../analysis/failing-line.ts";
import { isTestModule, isTestPath } from "../../code/test-code.ts";
import type { Frame, Stacktrace } from "../../sentry/types.ts";
import type { CodeReader, StackView } from "../gather.ts";
import type { Candidate } from "./candidates.ts";
import { frameEvidence } from "./candidates.ts";
import { enabled, type RankingOptions, type RankingSignal } from "./rank.ts";
import { subjectOfTest } from "./test-subject.ts";

/**
 * Stack candidates: every in-app frame nearest the throw (the origin's stack, then the stacks of the
 * exceptions that wrapped it), production code ahead of test code, ranked by distance from the throw.
 * Readings of the failing lines and the failing test's name move a frame, each measured on real crashes
 * (`npm run bench:real -- --ablate`):
 * - a frame that only builds the exception object is not where it was raised: its caller is;
 * - when a limit was hit (too many iterations or evaluations, the stack or the heap exhausted), the frame
 *   that counts is the loop that never finished, not the counter that gave up;
 * - a null dereferenced on the failing line that is a parameter the function never reassigned came from
 *   the caller as it is: the caller produced the bad value;
 * - likewise a deliberate throw whose guard tests only such a parameter: the check is right, the caller
 *   passed what it rejects;
 * - the failing test names its subject (`FooTest` tests `Foo`): the subject leads, or joins the list when
 *   the stack never reached it.
 * No frame is dropped or demoted for its name or folder: measured, such rules cost more than they gave.
 */

const MAX_PRODUCTION = 8;
const MAX_TEST = 3;
const DECAY = 0.75;
const NULL_DEREFERENCE =
  /NoneType|NullPointerException|NullReferenceException|of (undefined|null)\b|(undefined|null) is not an object|nil pointer|undefined method [^\n]{0,200} for nil/i;
const LIMIT_EXCEEDED =
  /TooMany|MaxCount|MaxIterations?|LimitExceeded|StackOverflow|OutOfMemory|RecursionError|maximum recursion depth|heap out of memory|Maximum call stack/i;
/** Exception text is the sender's to size: patterns read its start only. */
const LABEL_CHARS = 2_000;

export interface InAppFrame {
  frame: Frame;
  index: number;
  repo: string | null;
  path: string | null;
  reason: string | null;
  test: boolean;
}

export async function stackCandidates(
  view: StackView,
  evidence: EvidenceSet,
  weight: number,
  source: Candidate["source"],
  code: CodeReader,
  options: RankingOptions = {},
): Promise<Candidate[]> {
  const frames = inAppFrames(view, options);
  const production = frames.filter((f) => !f.test).slice(0, MAX_PRODUCTION);
  const tests = frames.filter((f) => f.test).slice(0, MAX_TEST);
  const out: Candidate[] = production.map((f, rank) => candidate(view, evidence, f, rank, weight, source));
  for (const [name, apply] of FRAME_SIGNALS)
    if (out.length > 0 && enabled(options, name)) await apply(view, out, code);
  if (enabled(options, "test-subject")) await subjectOfTest(view, evidence, out, frames, code, weight);
  // Test code is context: below every production frame, and the note says when it is all there is.
  const floor = Math.min(weight, ...out.map((c) => c.score));
  tests.forEach((f, k) => {
    const c = candidate(view, evidence, f, production.length + k, weight, source);
    c.test = true;
    c.score = floor * 0.4 * DECAY ** k;
    c.reasons.push(
      production.length > 0
        ? "test code: it shows what was exercised, not where production code is wrong"
        : "test code, and the only in-app code on the stack: the production code it called is not on the stack",
    );
    out.push(c);
  });
  return out;
}

/** In-app frames nearest the throw: the origin's stack first, then each wrapping exception's. */
function inAppFrames(view: StackView, options: RankingOptions): InAppFrame[] {
  const stacks: Stacktrace[] = [];
  for (const s of [view.stack, ...[...view.chain.links].reverse().map((l) => l.stacktrace)])
    if (s && !stacks.includes(s)) stacks.push(s);
  const seen = new Set<string>();
  const out: InAppFrame[] = [];
  for (const stack of stacks) {
    for (let i = stack.frames.length - 1; i >= 0; i--) {
      const frame = stack.frames[i]!;
      if (!frame.inApp) continue;
      const key = `${frame.module ?? ""}|${frame.filename ?? frame.absPath ?? ""}|${frame.function ?? ""}|${frame.lineNo ?? ""}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const location = view.byFrame.get(frame) ?? null;
      const path = location?.path ?? null;
      const test =
        enabled(options, "test-code") &&
        (isTestPath(path ?? frame.absPath ?? frame.filename) || (!path && isTestModule(frame.module)));
      out.push({
        frame,
        index: i,
        repo: location?.repo ?? null,
        path,
        reason: location?.reason ?? null,
        test,
      });
    }
  }
  return out;
}

function candidate(
  view: StackView,
  evidence: EvidenceSet,
  f: InAppFrame,
  rank: number,
  weight: number,
  source: Candidate["source"],
): Candidate {
  const id = frameEvidence(evidence, view, f.frame, f.index, f.path);
  const reasons = [
    rank === 0 ? "in-app frame nearest the throw site" : `in-app frame ${rank + 1} from the throw site`,
  ];
  if (source === "other_service") reasons.unshift(`where ${view.project} failed while serving this request`);
  // A frame that maps to no repository file is named by its function only: never by a path we made up.
  if (!f.path) reasons.push(`not found in a connected repository${f.reason ? `: ${f.reason}` : ""}`);
  return {
    repo: f.path ? f.repo : null,
    path: f.path,
    line: f.frame.lineNo,
    function: f.frame.function,
    score: weight * DECAY ** rank * (f.path ? 1 : 0.6),
    reasons,
    evidence: [id],
    source,
    rank,
  };
}

async function failingLine(code: CodeReader, c: Candidate): Promise<{ source: string; line: string } | null> {
  if (!c.repo || !c.path || !c.line) return null;
  const source = await code.read(c.repo, c.path);
  const line = source?.split("\n")[c.line - 1];
  return source && line !== undefined ? { source, line } : null;
}

/** `return new IllegalArgumentException(…)` at the top: the exception was raised by the caller. */
async function factoryFrame(_view: StackView, out: Candidate[], code: CodeReader): Promise<void> {
  const [first, caller] = out;
  if (!first || !caller) return;
  const read = await failingLine(code, first);
  if (!read || !buildsExceptionOnly(read.line)) return;
  handToCaller(
    first,
    caller,
    "only builds the exception object; its caller raised it",
    `raised the exception that ${first.function ?? "its callee"} built`,
  );
}

/** A limit reached: the innermost frame whose failing line runs inside a loop is the loop that did not end. */
async function limitLoop(view: StackView, out: Candidate[], code: CodeReader): Promise<void> {
  const label = errorLabel(view);
  if (!LIMIT_EXCEEDED.test(label)) return;
  for (const [k, c] of out.entries()) {
    const read = await failingLine(code, c);
    if (!read || !insideLoop(read.source, c.line!, languageOf(c.path!))) continue;
    if (k === 0) return;
    const top = Math.max(...out.map((o) => o.score));
    c.score = top + 0.05;
    c.reasons.push("a limit was reached while this loop ran: the loop that did not finish, not the counter");
    return;
  }
}

/** `addr.name` where `addr` is a parameter that arrived as None: the caller passed it. */
async function nullArgument(view: StackView, out: Candidate[], code: CodeReader): Promise<void> {
  const [first, caller] = out;
  if (!first || !caller || first.score < caller.score) return;
  const label = errorLabel(view);
  if (!NULL_DEREFERENCE.test(label)) return;
  const read = await failingLine(code, first);
  const variable = read ? readVariable(read.line) : null;
  if (!read || !variable || !unchangedParameter(read.source, first.line!, variable, languageOf(first.path!)))
    return;
  const k = await maker(out, 0, code);
  handToCaller(
    first,
    out[k]!,
    `\`${variable}\` arrived empty as an argument: this function only used it`,
    `passed the empty \`${variable}\` to ${first.function ?? "its callee"}${k > 1 ? ` through ${k - 1} call(s) that only passed it on` : ""}`,
  );
}

/** `if (!(value > 0)) throw …` where `value` is an unchanged parameter: the caller passed what the check rejects. */
async function checkedArgument(_view: StackView, out: Candidate[], code: CodeReader): Promise<void> {
  const [first, caller] = out;
  if (!first || !caller || first.score < caller.score) return;
  const read = await failingLine(code, first);
  const condition = read ? guardCondition(read.source, first.line!) : null;
  if (!read || condition === null) return;
  const names = conditionNames(condition);
  const lang = languageOf(first.path!);
  if (names.length === 0 || !names.every((n) => fromParameters(read.source, first.line!, n, lang))) return;
  const k = await maker(out, 0, code);
  handToCaller(
    first,
    out[k]!,
    `rejects its argument \`${names.join("`, `")}\` as it should: the check is not the bug`,
    `passed ${first.function ?? "its callee"} the value its check rejected${k > 1 ? ` through ${k - 1} call(s) that only passed it on` : ""}`,
  );
}

/**
 * A ConcurrentModificationException raised by the application's own iterator: the iterator's check is right
 * by definition; the code iterating the collection (the first caller outside the iterator's file) changed it
 * while the iteration was open. Raised inside a library's iterator, the top in-app frame is that code already
 * and no in-app line raises it.
 */
async function concurrentModification(view: StackView, out: Candidate[], code: CodeReader): Promise<void> {
  // The exception factory may already have passed the blame to the frame that raised it.
  const raiser = out[0] && out[1] && out[1].score > out[0].score ? out[1] : out[0];
  const read = raiser ? await failingLine(code, raiser) : null;
  // Only a deliberate raise: Python's "changed size during iteration" fails on the iterating line itself.
  if (!raiser || !read || !/\b(throw|raise)\b/.test(read.line)) return;
  if (!/ConcurrentModification/.test(`${errorLabel(view)}\n${read.line}`)) return;
  const loop = out.slice(out.indexOf(raiser) + 1).find((c) => c.path && c.path !== raiser.path);
  if (!loop || loop.score > raiser.score) return;
  handToCaller(
    raiser,
    loop,
    "the iterator found its collection changed while iterating: it reports the change, it did not make it",
    "iterates the collection that changed while its iterator was open",
  );
}

/**
 * A library rejected a value the throw site only passed on (`return Integer.decode(str)`, `super.put(key,
 * value)`): the frames that forwarded their parameters unchanged did nothing to it, so the blame goes up the
 * stack to the first frame that made the value.
 */
async function forwardedArgument(view: StackView, out: Candidate[], code: CodeReader): Promise<void> {
  const [first] = out;
  const raw = view.stack?.frames ?? [];
  if (first?.rank !== 0 || raw.length === 0 || raw.at(-1)!.inApp) return;
  const read = await failingLine(code, first);
  const passed = read ? passedNames(read.line) : null;
  const lang = languageOf(first.path ?? "");
  if (!read || !passed?.every((n) => unchangedParameter(read.source, first.line!, n, lang))) return;
  const k = await maker(out, 0, code);
  const target = out[k];
  if (k === 0 || !target || target.score > first.score) return;
  const what = `\`${passed.join("`, `")}\``;
  [first.score, target.score] = [target.score, first.score];
  first.reasons.push(`only passed ${what} on, unchanged, to the library call that rejected it`);
  target.reasons.push(`made the value that reached the library as ${what} through ${k} unchanged call(s)`);
}

/**
 * The frame above `out[k]` that made what `out[k]` received: callers whose failing line only passes their own
 * parameters, unchanged, to the frame below are passed over (`toSubSpace(point)` → `getAbscissa((Vector3D)
 * point)`). Returns its index, or the last frame's when every caller only passed values on.
 */
async function maker(out: Candidate[], k: number, code: CodeReader): Promise<number> {
  let j = k + 1;
  let callee = calleeName(out[k]!);
  while (j < out.length - 1) {
    const c = out[j]!;
    const read = await failingLine(code, c);
    const names = read ? passedNames(read.line, callee) : null;
    const lang = languageOf(c.path ?? "");
    if (!read || !names?.every((n) => unchangedParameter(read.source, c.line!, n, lang))) break;
    callee = calleeName(c);
    j++;
  }
  return j;
}

/** The name a caller's line calls a frame by: its method name, or its class for a constructor. */
function calleeName(c: Candidate): string {
  const short = c.function?.split(/[.:#]/).pop() ?? "";
  return short === "<init>" && c.path
    ? c.path
        .split("/")
        .pop()!
        .replace(/\.\w+$/, "")
    : short;
}

function errorLabel(view: StackView): string {
  return view.chain.links.map((l) => exceptionLabel(l.exception).slice(0, LABEL_CHARS)).join("\n");
}

/** The frame that threw only surfaced what its caller did: they trade places, each saying why. */
function handToCaller(first: Candidate, caller: Candidate, firstWhy: string, callerWhy: string): void {
  [first.score, caller.score] = [caller.score, first.score];
  first.reasons.push(firstWhy);
  caller.reasons.push(callerWhy);
}

type FrameSignal = (view: StackView, out: Candidate[], code: CodeReader) => Promise<void>;

/** Applied in this order; each is measured on/off by `npm run bench:real -- --ablate`. */
const FRAME_SIGNALS: ReadonlyArray<[RankingSignal, FrameSignal]> = [
  ["exception-factory", factoryFrame],
  ["limit-loop", limitLoop],
  ["null-argument", nullArgument],
  ["checked-argument", checkedArgument],
  ["forwarded-argument", forwardedArgument],
  ["concurrent-modification", concurrentModification],
];
