import type { EvidenceSet } from "../../analysis/evidence.ts";
import { exceptionLabel, frameLocation } from "../../analysis/exception-chain.ts";
import { isFailingCall } from "../../analysis/trace-walk.ts";
import type { Frame } from "../../sentry/types.ts";
import type { Signals, StackView } from "../gather.ts";

/**
 * A place the fix might belong, as every source of the root-cause stage proposes it: the stack's frames
 * (stack.ts), the code behind spans and profiles (spans.ts), one call outside the stack (one-hop.ts), the
 * failing test's subject (test-subject.ts) and an N+1's list query (list-query.ts).
 */

export interface Candidate {
  repo: string | null;
  path: string | null;
  line: number | null;
  function: string | null;
  score: number;
  reasons: string[];
  evidence: string[];
  source:
    | "stack"
    | "other_service"
    | "span"
    | "profile"
    | "one_hop"
    | "test_subject"
    | "list_query"
    | "feedback";
  /** The frame's index among in-app frames, nearest the throw first (stack candidates only). */
  rank?: number;
  /** A frame in test code: context, never ranked ahead of production code. */
  test?: boolean;
}

const FAILED_CALL =
  /status code 5\d\d|\b5\d\d\b|HTTPError|AxiosError|FetchError|bad gateway|service unavailable|timed? ?out|timeout|ETIMEDOUT|ECONNRESET|ECONNREFUSED|deadline exceeded|ReadTimeout|ConnectTimeout|upstream/i;

export function isFailedCall(signals: Signals): boolean {
  const labels = signals.main.chain.links.map((l) => exceptionLabel(l.exception));
  if (labels.some((l) => FAILED_CALL.test(l))) return true;
  const path = signals.traceAnalysis?.eventPath ?? [];
  // Only an outgoing call this service made: its own server span answering 500, or a caller's request that
  // failed because of this error, is the error's effect.
  const own = signals.issue.project.slug;
  return path.some(
    (s) =>
      isFailingCall(s) &&
      /^(http|grpc|rpc)/.test(s.op ?? "") &&
      !/\.server\b/.test(s.op ?? "") &&
      (s.project === null || s.project === own),
  );
}

export function frameEvidence(
  evidence: EvidenceSet,
  view: StackView,
  frame: Frame,
  index: number,
  path: string | null,
): string {
  const where = path ?? frameLocation(frame);
  const id = `frame:${view.id === "main" ? "main" : view.id.slice(0, 8)}:${index}`;
  const line =
    frame.lineNo !== null ? (frame.context.find(([n]) => n === frame.lineNo)?.[1]?.trim() ?? null) : null;
  return evidence.add(
    id,
    "frame",
    `${view.project}: ${where}${frame.lineNo !== null ? `:${frame.lineNo}` : ""} in ${frame.function ?? "<anonymous>"}${frame.inApp ? "" : " (library)"}`,
    {
      project: view.project,
      file: path,
      sentry_path: frame.absPath ?? frame.filename,
      function: frame.function,
      line: frame.lineNo,
      code: line,
      in_app: frame.inApp,
    },
  );
}
