import { enclosingFunction, languageOf } from "../../analysis/code-structure.ts";
import type { EvidenceSet } from "../../analysis/evidence.ts";
import { summarizeProfile } from "../../analysis/profile.ts";
import { isTimeout } from "../../analysis/trace-walk.ts";
import type { TraceSpan } from "../../sentry/traces.ts";
import type { Signals } from "../gather.ts";

import type { Candidate } from "./candidates.ts";

/**
 * Code located from the trace and the profile rather than the stack: the slowest work inside a call that
 * failed or timed out downstream, and for performance issues the code issuing the offending spans and the
 * profile's hottest application function.
 */

/** For a timeout or 5xx with no error recorded downstream: the slowest work inside the failed call. */
export async function spanCandidates(signals: Signals, evidence: EvidenceSet): Promise<Candidate[]> {
  const analysis = signals.traceAnalysis;
  if (!analysis || !signals.trace) return [];
  const own = signals.issue.project.slug;
  const out: Candidate[] = [];
  for (const failing of analysis.failing.slice(0, 3)) {
    const downstream = descendants(failing).filter((s) => s.project && s.project !== own);
    if (downstream.length === 0) continue;
    const work = downstream
      .filter((s) => !s.isTransaction && (/^(db|function|cache|http\.client)/.test(s.op ?? "") || s.code))
      .sort((a, b) => (b.durationMs ?? 0) - (a.durationMs ?? 0))[0];
    if (!work) continue;
    const spanId = evidence.add(
      `span:${work.spanId}`,
      "span",
      `${work.project} ${work.op} ${(work.description ?? "").slice(0, 120)} took ${Math.round(work.durationMs ?? 0)} ms`,
      {
        project: work.project,
        op: work.op,
        description: work.description,
        duration_ms: work.durationMs,
        code: work.code,
      },
    );
    const failingId = evidence.add(
      `span:${failing.spanId}`,
      "span",
      `${failing.project} ${failing.op} ${(failing.description ?? "").slice(0, 120)} ${isTimeout(failing) ? "timed out" : `failed (${failing.httpStatus ?? failing.status})`}`,
      {
        project: failing.project,
        op: failing.op,
        description: failing.description,
        duration_ms: failing.durationMs,
        status: failing.status,
        http_status: failing.httpStatus,
      },
    );
    const located = await locateSpanCode(signals, work);
    out.push({
      repo: located?.repo ?? null,
      path: located?.path ?? work.code?.filepath ?? null,
      line: located?.line ?? work.code?.lineno ?? null,
      function: located?.fn ?? work.code?.function ?? null,
      score: located ? 0.7 : 0.3,
      reasons: [
        `${work.project} spent ${Math.round(work.durationMs ?? 0)} ms in ${work.op} inside the ${isTimeout(failing) ? "call that timed out" : "call that failed"}`,
        located ? located.how : "the code behind this span was not found in a connected repository",
      ],
      evidence: [failingId, spanId, ...(located?.evidence ? [located.evidence] : [])],
      source: "span",
    });
  }
  return out;
}

function descendants(span: TraceSpan): TraceSpan[] {
  const out: TraceSpan[] = [];
  const stack = [...span.children];
  while (stack.length > 0 && out.length < 20_000) {
    const s = stack.pop()!;
    out.push(s);
    stack.push(...s.children);
  }
  return out;
}

/** The code behind a span: its `code.*` attributes, else the repository file that contains its query text. */
async function locateSpanCode(
  signals: Signals,
  span: TraceSpan,
): Promise<{
  repo: string;
  path: string;
  line: number | null;
  fn: string | null;
  how: string;
  evidence?: string;
} | null> {
  for (const [name, state] of signals.repos) {
    if (span.code?.filepath) {
      const path = bestSuffix(state.files, span.code.filepath);
      if (path)
        return {
          repo: name,
          path,
          line: span.code.lineno,
          fn: span.code.function,
          how: "the span's code.filepath / code.function attributes",
        };
    }
  }
  const fragment = queryFragment(span.description);
  if (!fragment) return null;
  for (const [name, state] of signals.repos) {
    for (const path of state.files
      .filter((f) => /\.(py|js|ts|tsx|java|kt|go|rb|php|cs|sql)$/.test(f))
      .slice(0, 400)) {
      const content = await signals.code.read(name, path);
      if (!content) continue;
      const index = content.split("\n").findIndex((l) => normalizeSql(l).includes(fragment));
      if (index < 0) continue;
      const fn = enclosingFunction(content, index + 1, languageOf(path));
      return {
        repo: name,
        path,
        line: index + 1,
        fn: fn?.name ?? null,
        how: `the query text "${fragment}" appears in this file`,
      };
    }
  }
  return null;
}

function bestSuffix(files: string[], absolute: string): string | null {
  const parts = absolute.replace(/\\/g, "/").split("/").filter(Boolean);
  for (let k = 0; k < parts.length; k++) {
    const suffix = parts.slice(k).join("/");
    const hit = files.find((f) => f === suffix || f.endsWith(`/${suffix}`));
    if (hit) return hit;
  }
  return null;
}

function normalizeSql(text: string): string {
  return text.replace(/\s+/g, " ").toLowerCase();
}

/** The distinctive part of a query: `from <table> where <column>`, or the first words after SELECT. */
export function queryFragment(description: string | null): string | null {
  if (!description) return null;
  const sql = normalizeSql(description);
  const m =
    /\bfrom\s+[\w."`]+(?:\s+\w+)?\s+where\s+[\w."`]+/.exec(sql) ??
    /\b(?:update|insert into|delete from)\s+[\w."`]+/.exec(sql) ??
    /\bfrom\s+[\w."`]+/.exec(sql);
  return m ? m[0] : null;
}

/** Performance issues: the functions issuing the offending spans, and the profile's hottest application code. */
export async function performanceCandidates(signals: Signals, evidence: EvidenceSet): Promise<Candidate[]> {
  const out: Candidate[] = [];
  const offending = await offendingSpanCandidate(signals, evidence);
  if (offending) out.push(offending);
  const hottest = hottestCandidate(signals, evidence);
  if (hottest) out.push(hottest);
  return out;
}

/** The code issuing a performance issue's offending spans, found through the query they repeat. */
async function offendingSpanCandidate(signals: Signals, evidence: EvidenceSet): Promise<Candidate | null> {
  const occ = signals.event.occurrence;
  if (!occ) return null;
  const offenders = Array.isArray(occ.evidenceData.offenderSpanIds)
    ? (occ.evidenceData.offenderSpanIds as unknown[]).map(String)
    : [];
  const spans = signals.event.spans.filter((s) => s.spanId && offenders.includes(s.spanId));
  const occurrenceId = evidence.add(
    "occurrence",
    "occurrence",
    `${occ.issueTitle ?? "performance issue"}: ${offenders.length} offending spans ${spans[0]?.description ? `(${spans[0].description.slice(0, 100)})` : ""}`,
    {
      title: occ.issueTitle,
      offender_span_ids: offenders.slice(0, 50),
      evidence: occ.evidenceDisplay.slice(0, 5),
    },
  );
  const fragment = queryFragment(spans[0]?.description ?? null);
  if (!fragment) return null;
  const span = { ...spans[0]!, project: signals.issue.project.slug, code: null } as unknown as TraceSpan;
  const located = await locateSpanCode(signals, {
    ...span,
    description: spans[0]!.description,
    durationMs: null,
    children: [],
  } as TraceSpan);
  if (!located) return null;
  return {
    repo: located.repo,
    path: located.path,
    line: located.line,
    function: located.fn,
    score: 0.45,
    reasons: [`issues the repeated query (${offenders.length} offending spans)`, located.how],
    evidence: [occurrenceId],
    source: "span",
  };
}

/** The profile's hottest application function, in the repository whose files end like its file. */
function hottestCandidate(signals: Signals, evidence: EvidenceSet): Candidate | null {
  const hot = signals.profile ? summarizeProfile(signals.profile).hottestInApp : null;
  if (!hot) return null;
  const profileId = evidence.add(
    `profile:${hot.frame.name}`,
    "profile",
    `profile: ${hot.frame.name} (${hot.frame.file ?? "?"}:${hot.frame.line ?? "?"}) ${Math.round(hot.totalShare * 100)}% of sampled time`,
    {
      function: hot.frame.name,
      file: hot.frame.file,
      line: hot.frame.line,
      self_share: hot.selfShare,
      total_share: hot.totalShare,
    },
  );
  let repo: string | null = null;
  let path: string | null = null;
  for (const [name, state] of signals.repos) {
    const hit = hot.frame.file ? bestSuffix(state.files, hot.frame.file) : null;
    if (hit) {
      repo = name;
      path = hit;
      break;
    }
  }
  return {
    repo,
    path: path ?? hot.frame.file,
    line: hot.frame.line,
    function: hot.frame.name,
    score: path ? 0.6 : 0.3,
    reasons: [
      `the hottest application function in the profile (${Math.round(hot.selfShare * 100)}% self, ${Math.round(hot.totalShare * 100)}% total)`,
    ],
    evidence: [profileId],
    source: "profile",
  };
}
