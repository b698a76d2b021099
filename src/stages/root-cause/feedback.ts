import type { RootCauseOutput } from "../../contract/root-cause.ts";
import { inputError } from "../../errors.ts";
import type { EvidenceRecord } from "../../store/types.ts";

/**
 * Feedback re-ranks or replaces a stored root cause, deterministically: confirm or reject a candidate, pin a
 * location, state the verified root cause, or add free text (which boosts candidates it names). The result
 * is the next revision; each piece of feedback becomes evidence the chain can cite.
 */

export interface Feedback {
  message?: string | undefined;
  /** 1-based rank or a path. */
  confirm?: number | string | undefined;
  reject?: number | string | undefined;
  /** A location to put first. */
  path?: string | undefined;
  line?: number | undefined;
  function?: string | undefined;
  repo?: string | undefined;
  /** The root cause the agent verified in the code, in its own words. */
  root_cause?: string | undefined;
}

export function feedbackKind(f: Feedback): string {
  if (f.root_cause) return "root_cause";
  if (f.confirm !== undefined) return "confirm";
  if (f.reject !== undefined) return "reject";
  if (f.path) return "pin";
  return "message";
}

export function applyFeedback(
  previous: RootCauseOutput,
  f: Feedback,
  seq: number,
): { output: RootCauseOutput; evidence: EvidenceRecord } {
  const out: RootCauseOutput = structuredClone(previous);
  const id = `feedback:${seq}`;
  const evidence: EvidenceRecord = { id, kind: "feedback", summary: summarize(f), data: f };
  out.revision += 1;
  out.evidence_count += 1;

  if (f.reject !== undefined) {
    const index = findCandidate(out, f.reject);
    const [removed] = out.candidates.splice(index, 1);
    out.rejected.push({ repo: removed!.repo, path: removed!.path, function: removed!.function });
    out.notes.push(
      `Feedback ${seq} rejected ${removed!.path}${removed!.function ? ` (${removed!.function})` : ""}.`,
    );
  }
  if (f.confirm !== undefined) {
    const index = findCandidate(out, f.confirm);
    const [confirmed] = out.candidates.splice(index, 1);
    out.candidates.unshift({
      ...confirmed!,
      score: 0.99,
      reasons: ["confirmed by feedback after checking the code", ...confirmed!.reasons],
      evidence: [id, ...confirmed!.evidence],
    });
    out.verdict = "in_app";
    out.confidence = { level: "high", score: Math.max(out.confidence.score, 0.9) };
  }
  if (f.path && f.confirm === undefined) pin(out, { ...f, path: f.path }, id);
  if (f.root_cause) {
    out.summary = `${f.root_cause.trim()} (verified in the code by the agent; revision ${out.revision})`;
    out.causal_chain.push({ description: `Verified in the code: ${f.root_cause.trim()}`, evidence: [id] });
    out.confidence = { level: "high", score: Math.max(out.confidence.score, 0.9) };
    if (f.path) out.verdict = "in_app";
  }
  if (f.message) boostNamed(out, f.message, seq, id);
  if (f.reject !== undefined && !f.root_cause) {
    const top = out.candidates[0];
    out.summary = top
      ? `After feedback, the most likely location is ${top.function ?? "?"} (${top.path}${top.line ? `:${top.line}` : ""}). ${previous.summary}`
      : `Every candidate was rejected; the cause is not located. ${previous.summary}`;
    if (!top) {
      out.verdict = "unknown";
      out.confidence = { level: "low", score: 0.1 };
    }
  }
  return { output: out, evidence };
}

/** A location the feedback pins: first, with what the ranking knew of it kept. */
function pin(out: RootCauseOutput, f: Feedback & { path: string }, id: string): void {
  const existing = out.candidates.findIndex(
    (c) => c.path === f.path && (!f.function || c.function === f.function),
  );
  const base = existing >= 0 ? out.candidates.splice(existing, 1)[0]! : null;
  out.candidates.unshift({
    repo: f.repo ?? base?.repo ?? out.candidates[0]?.repo ?? null,
    path: f.path,
    line: f.line ?? base?.line ?? null,
    function: f.function ?? base?.function ?? null,
    score: 0.99,
    reasons: [
      f.root_cause ? "named by the verified root cause" : "pinned by feedback",
      ...(base?.reasons ?? []),
    ],
    evidence: [id, ...(base?.evidence ?? [])],
    source: "feedback",
  });
  out.verdict = "in_app";
}

/** Free text: the candidates it names move up, and it joins the notes. */
function boostNamed(out: RootCauseOutput, message: string, seq: number, id: string): void {
  const text = message.toLowerCase();
  const named = out.candidates.filter(
    (c) =>
      (c.path && text.includes(c.path.toLowerCase())) ||
      (c.function && c.function.length > 3 && text.includes(c.function.toLowerCase())),
  );
  for (const c of named) {
    c.score = Math.min(0.99, c.score + 0.2);
    c.reasons.unshift(`named in feedback ${seq}`);
    c.evidence.unshift(id);
  }
  out.candidates.sort((a, b) => b.score - a.score);
  out.notes.push(`Feedback ${seq}: ${message.trim().slice(0, 500)}`);
}

function findCandidate(out: RootCauseOutput, ref: number | string): number {
  const index =
    typeof ref === "number" || /^\d+$/.test(ref)
      ? Number(ref) - 1
      : out.candidates.findIndex((c) => c.path === ref || c.function === ref);
  if (index < 0 || index >= out.candidates.length) {
    throw inputError(
      `candidate ${JSON.stringify(ref)} is not in this run (it has ${out.candidates.length}).`,
      "Pass a 1-based rank from the candidate list, or the candidate's path; get_run shows them.",
    );
  }
  return index;
}

function summarize(f: Feedback): string {
  const parts = [
    f.root_cause ? `root cause: ${f.root_cause}` : null,
    f.confirm !== undefined ? `confirm ${f.confirm}` : null,
    f.reject !== undefined ? `reject ${f.reject}` : null,
    f.path ? `pin ${f.path}${f.line ? `:${f.line}` : ""}${f.function ? ` ${f.function}` : ""}` : null,
    f.message ? `message: ${f.message}` : null,
  ].filter(Boolean);
  return `feedback: ${parts.join("; ")}`;
}
