import { data } from "../../format/markdown.ts";
import type { PlanContext } from "./fixes.ts";

/**
 * A step in the calling service's repository, when the evidence shows one: this service raised the error,
 * and a caller in another connected repository received it as a failed request and reported it as its own
 * issue — the failure users saw. The fix here changes what the caller gets back (a success, or a clear 4xx
 * in place of a 500), so the caller's handling of that response is part of the fix.
 */
export function callerStep({ rc, top, step, testFor }: PlanContext): void {
  // Candidates from another service rank as the effect when this service raised the error: its callers.
  const caller = rc.candidates.find(
    (c) => c.source === "other_service" && c.repo && c.path && top?.repo && c.repo !== top.repo,
  );
  const theirs = rc.related_issues.find((r) => r.short_id);
  if (!caller?.repo || !caller.path || !theirs) return;
  const at = `\`${caller.path}${caller.line ? `:${caller.line}` : ""}\``;
  step(
    `Handle the failed call in ${data(caller.function, 80)} in ${caller.repo}`,
    `${data(caller.function, 80)} (${at}) called ${top!.repo} and turned its 5xx into a user-facing failure (${theirs.short_id}${theirs.title ? `: ${data(theirs.title, 160)}` : ""}). The fix above changes what it gets back — a success, or a clear domain error (4xx) instead of a 500: handle that response here, show the user what went wrong with a request ID, and do not retry non-idempotent requests blindly.`,
    [caller.path],
    caller.evidence,
    caller.repo,
  );
  testFor(
    caller.path,
    `Client test: ${data(caller.function, 80)} on an error response from ${top!.repo}`,
    "Stub the call with the new error response and with a 500, and assert the user sees a clear error and nothing is retried blindly.",
    caller.repo,
  );
}
