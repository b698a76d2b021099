import type { RootCauseOutput } from "../../contract/root-cause.ts";
import { data } from "../../format/markdown.ts";
import type { EvidenceRecord } from "../../store/types.ts";
import type { Exception, Pattern, PlanTest } from "./plan.ts";

/**
 * One fix per failure pattern: the steps that say what to change and where, the regression test that would
 * have caught it, and what not to do. Each reads the plan's context and adds to it.
 */

/** What every pattern reads and writes while a plan is built. */
export interface PlanContext {
  rc: RootCauseOutput;
  exception: Exception | null;
  evidence: EvidenceRecord[];
  /** The top candidate; every pattern but library and unlocated has one. */
  top: RootCauseOutput["candidates"][number] | undefined;
  /** "`fn` (`path:line`)" of the top candidate. */
  where: string;
  /** The exception as one line, or the issue title. */
  label: string;
  /** The key, attribute or property the error names. */
  value: string | null;
  /** A sentence naming the commit that introduced it, or "". */
  commitNote: string;
  /** Where the error surfaced, when that is not the top candidate. */
  throwSite: RootCauseOutput["candidates"][number] | undefined;
  topEvidence: string[];
  step(
    title: string,
    description: string,
    files: Array<string | null | undefined>,
    ev: string[],
    repo?: string | null,
  ): void;
  testFor(path: string | null | undefined, title: string, description: string, repo?: string | null): void;
  tests: PlanTest[];
  avoid: string[];
}

export const PATTERNS: Record<Pattern, (p: PlanContext) => void> = {
  missing_value: missingValue,
  bad_downstream: badDownstream,
  timeout,
  n_plus_one: nPlusOne,
  library: libraryOnly,
  unlocated,
  logic,
};

/** A value was missing where the failing line read it: handle it where it is read, or restore it where it is made. */
function missingValue({
  top,
  where,
  label,
  value,
  commitNote,
  throwSite,
  topEvidence,
  step,
  testFor,
  avoid,
  exception,
}: PlanContext): void {
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
}

/** Another service raised the error behind a failed call: fix it there; the caller only surfaces it. */
function badDownstream({
  rc,
  top,
  where,
  label,
  commitNote,
  topEvidence,
  step,
  testFor,
  avoid,
}: PlanContext): void {
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
      local.repo,
    );
  avoid.push(
    "Don't fix it only in the caller (retries or a friendlier message): the other service still fails.",
  );
}

/** The time went into work inside a call that timed out: make that work fast enough, and bound the caller's wait. */
function timeout({
  rc,
  top,
  where,
  commitNote,
  topEvidence,
  evidence,
  step,
  testFor,
  avoid,
}: PlanContext): void {
  const local = rc.candidates.find((c) => c.source === "stack");
  const span = evidence.find(
    (e) =>
      topEvidence.includes(e.id) && e.kind === "span" && (e.data as { op?: string })?.op?.startsWith("db"),
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
}

/** One query per item of a list: load the list's related rows in one query where the list is loaded. */
function nPlusOne({
  rc,
  top,
  where,
  commitNote,
  evidence,
  topEvidence,
  step,
  testFor,
  avoid,
}: PlanContext): void {
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
}

/** Every frame is library code: find what the application hands to the library. */
function libraryOnly({ rc, label, step, tests, avoid }: PlanContext): void {
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
}

/** Nothing maps to code: say what would let the analysis locate it. */
function unlocated({ rc, step }: PlanContext): void {
  step(
    "Connect the repository",
    `The cause could not be located: ${rc.notes[0] ?? "no frame maps to code"}. Connect the repository (config repositories[] or --repo), re-run analyze_root_cause, then propose_solution again.`,
    [],
    [],
  );
}

/** A wrong condition in application code: fix it where the error was raised. */
function logic({ top, where, label, commitNote, topEvidence, step, testFor, avoid }: PlanContext): void {
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
