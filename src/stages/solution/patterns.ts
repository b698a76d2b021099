import type { RootCauseOutput } from "../../contract/root-cause.ts";
import { data } from "../../format/markdown.ts";
import type { EvidenceRecord } from "../../store/types.ts";

/**
 * Fix patterns per failure kind, as pure functions of a stored root cause: what to change and where, the
 * regression test that would have caught it, and what not to do. Every step names real files from the root
 * cause and cites its evidence; nothing here is generic filler.
 */

type Pattern =
  | "missing_value"
  | "bad_downstream"
  | "timeout"
  | "n_plus_one"
  | "library"
  | "unlocated"
  | "logic";

interface PlanStep {
  id: string;
  /** The repository the files belong to; null for steps without files. */
  repo: string | null;
  title: string;
  description: string;
  files: string[];
  evidence: string[];
}

interface PlanTest {
  title: string;
  description: string;
  file: string | null;
  command: string | null;
}

export interface TestHints {
  /** Existing or conventional test file for a source path. */
  testFileFor(path: string): string | null;
  command(testFile: string | null): string | null;
}

interface Plan {
  pattern: Pattern;
  steps: PlanStep[];
  tests: PlanTest[];
  avoid: string[];
}

const MISSING =
  /KeyError|NullPointer|NoneType|undefined|null|has no attribute|Cannot read propert|is not an object|not defined|missing|NoSuchElement|IndexError|index out of range/i;
const TIMEOUT = /timed? ?out|timeout|deadline|ETIMEDOUT/i;

interface Exception {
  type: string | null;
  value: string | null;
}

function classify(rc: RootCauseOutput, exception: Exception | null): Pattern {
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
  hints: TestHints,
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
  ) =>
    steps.push({
      id: `s${steps.length + 1}`,
      repo: files.some(Boolean) ? repo : null,
      title,
      description,
      files: [...new Set(files.filter((f): f is string => Boolean(f)))],
      evidence: [...new Set(ev)].filter((id) => evidence.some((e) => e.id === id)),
    });
  const testFor = (path: string | null | undefined, title: string, description: string) => {
    const file = path ? hints.testFileFor(path) : null;
    tests.push({ title, description, file, command: hints.command(file) });
  };

  switch (pattern) {
    case "missing_value": {
      const produced = top?.source === "one_hop";
      step(
        produced
          ? `Restore the missing ${value ? `${data(value, 80)}` : "value"} where ${data(top!.function, 80)} produces it`
          : `Handle the missing ${value ? `${data(value, 80)}` : "value"} in ${data(top!.function, 80)}`,
        produced
          ? `${where} builds the value the failing code reads, and no longer includes ${value ? `${data(value, 80)}` : "the entry it needs"} in some cases (${data(label)}). Make it return a complete value for every input it accepts, or make the absence explicit in its return type.${commitNote}`
          : `${where} reads ${value ? `${data(value, 80)}` : "a value"} that can be missing (${data(label)}). Decide what should happen when it is absent — reject the input with a clear domain error, or use an explicit, documented fallback — and implement that at this point rather than letting the ${exception?.type ?? "error"} escape.${commitNote}`,
        [top!.path],
        topEvidence,
      );
      if (throwSite?.path) {
        step(
          `Fail clearly at ${data(throwSite.function, 80)}`,
          `Where the error surfaced (${data(throwSite.function, 80)}, \`${throwSite.path}${throwSite.line ? `:${throwSite.line}` : ""}\`), check for the missing ${value ? `${data(value, 80)}` : "value"} and raise an error that names the record and the missing field, so a future gap is diagnosable from the message alone.`,
          [throwSite.path],
          throwSite.evidence,
          throwSite.repo,
        );
      }
      testFor(
        top!.path,
        `Regression test for ${data(top!.function, 80)} without ${value ? `${data(value, 80)}` : "the missing value"}`,
        `Reproduce the failing input (an entry without ${value ? `${data(value, 80)}` : "the value"}) and assert the chosen behaviour instead of ${data(label)}.`,
      );
      avoid.push(
        `Don't wrap the failing line in a blanket try/except or \`?.\` that turns ${value ? `a missing ${data(value, 80)}` : "the missing value"} into a silent wrong result.`,
      );
      avoid.push("Don't add a default that hides bad data without logging it.");
      break;
    }
    case "bad_downstream": {
      const local = rc.candidates.find((c) => c.source === "stack");
      const downstream = rc.related_issues[0];
      const theirs = downstream?.title
        ? ` — ${downstream.short_id ?? downstream.project}: ${data(downstream.title, 160)}`
        : "";
      step(
        `Fix ${data(top!.function, 80)} in ${top!.repo ?? "the downstream service"}`,
        `The request failed in the other service: ${where} in ${top!.repo} raised the error behind the failed call${theirs}; this issue (${data(label)}) is its symptom. Fix it there, handling the input that made it fail.${commitNote}`,
        [top!.path],
        topEvidence,
      );
      if (local?.path) {
        step(
          `Surface the downstream failure clearly in ${data(local.function, 80)}`,
          `${data(local.function, 80)} (\`${local.path}\`) only reported the failed call. Map the 5xx to a user-facing error with a request ID; do not retry non-idempotent requests blindly.`,
          [local.path],
          local.evidence,
          local.repo,
        );
      }
      testFor(
        top!.path,
        `Regression test for ${data(top!.function, 80)}`,
        "Call it with the input from the failing request and assert a correct response instead of a 5xx.",
      );
      if (local?.path)
        testFor(
          local.path,
          `Client test: ${data(local.function, 80)} on a 5xx`,
          "Stub the downstream call with a 500 and assert the user sees a clear error and nothing is retried blindly.",
        );
      avoid.push(
        "Don't fix it only in the caller (retries or a friendlier message): the other service still fails.",
      );
      break;
    }
    case "timeout": {
      const local = rc.candidates.find((c) => c.source === "stack");
      const span = evidence.find(
        (e) =>
          topEvidence.includes(e.id) &&
          e.kind === "span" &&
          (e.data as { op?: string })?.op?.startsWith("db"),
      );
      const query = (span?.data as { description?: string } | undefined)?.description;
      step(
        `Make ${data(top!.function, 80)} fast enough for the caller's budget`,
        `${where} is where the time goes inside the call that timed out${query ? `: ${data(query, 200)}` : ""}. Check its query plan (EXPLAIN), add the missing index or batch the work, and measure it against the caller's timeout.${commitNote}`,
        [top!.path],
        topEvidence,
      );
      if (local?.path) {
        step(
          `Bound the caller's wait in ${data(local.function, 80)}`,
          `In \`${local.path}\`, keep a timeout below the user's budget and retry only idempotent reads, with backoff; report a timeout as such.`,
          [local.path],
          local.evidence,
          local.repo,
        );
      }
      testFor(
        top!.path,
        `Performance regression test for ${data(top!.function, 80)}`,
        "With a realistic amount of data, assert the query count or plan (no sequential scan) rather than wall time.",
      );
      avoid.push("Don't just raise the client timeout: the slow query stays slow and ties up workers.");
      break;
    }
    case "n_plus_one": {
      const occurrence = evidence.find((e) => e.kind === "occurrence");
      const found = occurrence ? ` (${occurrence.summary})` : "";
      // The list's loop drives the per-item query: eager-load there, not in the per-item function.
      const perItem =
        top?.source === "list_query"
          ? rc.candidates.find((c) => c !== top && (c.source === "profile" || c.source === "span"))
          : undefined;
      step(
        perItem
          ? `Eager-load in ${data(top!.function, 80)} instead of calling ${data(perItem.function, 80)} once per row`
          : `Batch the per-item queries in ${data(top!.function, 80)}`,
        perItem
          ? `${where} loads a list and calls ${data(perItem.function, 80)} (\`${perItem.path}${perItem.line ? `:${perItem.line}` : ""}\`) for each of its rows, one query each${found}. Load the related rows for all of them in one query where the list is loaded (\`WHERE … IN (…)\`, a join, or the ORM's prefetch/eager loading) and map them in memory; keep ${data(perItem.function, 80)} for single-row callers or give it a batch form.${commitNote}`
          : `${where} issues one query per item${found}. Load the related rows for all items in one query (\`WHERE … IN (…)\`, a join, or the ORM's prefetch/eager loading) and map them in memory.${commitNote}`,
        [top!.path, perItem?.path],
        [...topEvidence, ...(occurrence ? [occurrence.id] : [])],
      );
      testFor(
        top!.path,
        `Query-count test for ${data(top!.function, 80)}`,
        "Assert the number of queries stays constant as the number of items grows (e.g. 1 vs 20 items).",
      );
      avoid.push("Don't hide the N+1 behind a per-item cache; fix the access pattern.");
      break;
    }
    case "library": {
      step(
        "Find what the application hands to the library",
        `Every frame of ${data(label)} is library code. Check the library's version and the input the application passes it; upgrade, pin, or validate that input before the call.`,
        [],
        rc.causal_chain.flatMap((s) => s.evidence),
      );
      tests.push({
        title: "Reproduce with the failing input",
        description: "Call the library with the input from the event and assert it no longer fails.",
        file: null,
        command: null,
      });
      avoid.push("Don't patch the vendored or installed library in place.");
      break;
    }
    case "unlocated": {
      step(
        "Connect the repository",
        `The cause could not be located: ${rc.notes[0] ?? "no frame maps to code"}. Connect the repository (config repositories[] or --repo), re-run analyze_root_cause, then propose_solution again.`,
        [],
        [],
      );
      break;
    }
    default: {
      step(
        `Correct the logic in ${data(top!.function, 80)}`,
        `${where} raised ${data(label)}. Fix the condition that leads there.${commitNote}`,
        [top!.path],
        topEvidence,
      );
      testFor(
        top!.path,
        `Regression test for ${data(top!.function, 80)}`,
        `Reproduce the failing input and assert the correct result instead of ${data(label)}.`,
      );
      avoid.push("Don't suppress the exception to make the symptom go away.");
    }
  }
  const library = rc.library;
  if (library && steps[0]) {
    // The steps name the library the error surfaced in, so the agent checks its contract and version first.
    const version = library.version ? ` ${data(library.version, 40)}` : "";
    steps[0].description += ` The error surfaced inside the library ${data(library.name, 80)}${version} (at ${data(library.frame, 160)}): read its documented contract for the input it was given before changing application code around it.`;
  }
  return { pattern, steps, tests, avoid };
}
