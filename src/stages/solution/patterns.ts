import type { RootCauseOutput } from "../../contract/root-cause.ts";
import { data } from "../../format/markdown.ts";
import type { EvidenceRecord } from "../../store/types.ts";
import { callerStep } from "./callers.ts";
import { PATTERNS } from "./fixes.ts";
import type { Exception, HintsFor, Pattern, Plan, PlanStep, PlanTest } from "./plan.ts";

/**
 * Fix patterns per failure kind, as pure functions of a stored root cause: what to change and where, the
 * regression test that would have caught it, and what not to do. Every step names real files from the root
 * cause and cites its evidence; nothing here is generic filler.
 */

const MISSING =
  /KeyError|NullPointer|NoneType|undefined|null|has no attribute|Cannot read propert|is not an object|not defined|missing|NoSuchElement|IndexError|index out of range/i;
const TIMEOUT = /timed? ?out|timeout|deadline|ETIMEDOUT/i;

export function classify(rc: RootCauseOutput, exception: Exception | null): Pattern {
  const top = rc.candidates[0];
  if (rc.verdict === "third_party") return "library";
  if (!top || rc.verdict === "unknown") return "unlocated";
  const label = `${exception?.type ?? ""}: ${exception?.value ?? ""}`;
  if (
    top.source === "profile" ||
    (top.source === "span" && /N\+1|repeated quer/i.test(`${rc.kind} ${top.reasons.join(" ")}`))
  )
    return "n_plus_one";
  if (top.source === "span" && TIMEOUT.test(`${label} ${top.reasons.join(" ")}`)) return "timeout";
  if (top.source === "other_service") return "bad_downstream";
  if (rc.kind.startsWith("performance")) return "n_plus_one";
  if (MISSING.test(label)) return "missing_value";
  return "logic";
}

/** The key, attribute or property the error names: `'currency'`, `reading 'percent'`, `attribute 'name'`. */
function namedValue(exception: Exception | null): string | null {
  return /['"`]([A-Za-z_$][\w$.-]{0,60})['"`]/.exec(exception?.value ?? "")?.[1] ?? null;
}

export function buildPlan(
  rc: RootCauseOutput,
  exception: Exception | null,
  evidence: EvidenceRecord[],
  hints: HintsFor,
): Plan {
  const pattern = classify(rc, exception);
  const top = rc.candidates[0];
  const where = top
    ? `${top.function ? data(top.function, 80) : "the code"} (\`${top.path}${top.line ? `:${top.line}` : ""}\`)`
    : "";
  const label = exception
    ? `${exception.type ?? "Error"}${exception.value ? `: ${exception.value}` : ""}`
    : rc.issue.title;
  const value = namedValue(exception);
  const commit = rc.suspect_commits.find((c) => top && c.path === top.path && c.score >= 0.5);
  const commitNote = commit
    ? ` Commit \`${commit.sha.slice(0, 12)}\` (${data(commit.subject, 120)}) introduced it: keep what that change was for while fixing the case it broke.`
    : "";
  const throwSite = rc.candidates.find(
    (c) => c.source === "stack" && c !== top && c.reasons.some((r) => r.includes("nearest the throw")),
  );
  const topEvidence = top?.evidence ?? [];
  const steps: PlanStep[] = [];
  const tests: PlanTest[] = [];
  const avoid: string[] = [];
  const step = (
    title: string,
    description: string,
    files: Array<string | null | undefined>,
    ev: string[],
    repo: string | null = top?.repo ?? null,
  ) => {
    steps.push({
      id: `s${steps.length + 1}`,
      repo: files.some(Boolean) ? repo : null,
      title,
      description,
      files: [...new Set(files.filter((f): f is string => Boolean(f)))],
      evidence: [...new Set(ev)].filter((id) => evidence.some((e) => e.id === id)),
    });
  };
  const testFor = (
    path: string | null | undefined,
    title: string,
    description: string,
    repo: string | null = top?.repo ?? null,
  ) => {
    const repoHints = hints(repo);
    const file = path ? repoHints.testFileFor(path) : null;
    tests.push({ repo: file ? repo : null, title, description, file, command: repoHints.command(file) });
  };

  const context = {
    rc,
    exception,
    evidence,
    top,
    where,
    label,
    value,
    commitNote,
    throwSite,
    topEvidence,
    step,
    testFor,
    tests,
    avoid,
  };
  PATTERNS[pattern](context);
  // Where this service raised the error, a caller in another repository may need to handle the new response.
  if (pattern === "missing_value" || pattern === "logic") callerStep(context);
  const library = rc.library;
  if (library && steps[0]) {
    // The steps name the library the error surfaced in, so the agent checks its contract and version first.
    const version = library.version ? ` ${data(library.version, 40)}` : "";
    steps[0].description += ` The error surfaced inside the library ${data(library.name, 80)}${version} (at ${data(library.frame, 160)}): read its documented contract for the input it was given before changing application code around it.`;
  }
  return { pattern, steps, tests, avoid };
}
