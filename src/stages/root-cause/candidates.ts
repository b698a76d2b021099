import {
  declaredType,
  definitionLine,
  enclosingFunction,
  languageOf,
  producerOf,
  readVariable,
} from "../../analysis/code-structure.ts";
import type { EvidenceSet } from "../../analysis/evidence.ts";
import { exceptionLabel, frameLocation } from "../../analysis/exception-chain.ts";
import { summarizeProfile } from "../../analysis/profile.ts";
import { isFailingCall, isTimeout } from "../../analysis/trace-walk.ts";
import { isTestPath } from "../../code/test-code.ts";
import type { TraceSpan } from "../../sentry/traces.ts";
import type { Frame } from "../../sentry/types.ts";
import type { Signals, StackView } from "../gather.ts";

/**
 * Where the fix might belong beyond the stack (stack.ts ranks the frames): the downstream span that timed
 * out, the profile's hottest application function, and one call hop outside the stack (the function that
 * produced the value the failing line reads).
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
  const occ = signals.event.occurrence;
  if (occ) {
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
    if (fragment) {
      const span = { ...spans[0]!, project: signals.issue.project.slug, code: null } as unknown as TraceSpan;
      const located = await locateSpanCode(signals, {
        ...span,
        description: spans[0]!.description,
        durationMs: null,
        children: [],
      } as TraceSpan);
      if (located) {
        out.push({
          repo: located.repo,
          path: located.path,
          line: located.line,
          function: located.fn,
          score: 0.45,
          reasons: [`issues the repeated query (${offenders.length} offending spans)`, located.how],
          evidence: [occurrenceId],
          source: "span",
        });
      }
    }
  }
  if (signals.profile) {
    const summary = summarizeProfile(signals.profile);
    const hot = summary.hottestInApp;
    if (hot) {
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
      out.push({
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
      });
    }
  }
  return out;
}

/**
 * One call hop outside the stack: the failing line reads a variable; if the function assigned it from a call
 * (`rates = load_tax_rates(...)`), the callee produced the bad value and may be where the bug is.
 */
export async function oneHopCandidates(
  signals: Signals,
  top: Candidate[],
  evidence: EvidenceSet,
): Promise<Candidate[]> {
  const out: Candidate[] = [];
  for (const c of top
    .filter((t) => t.repo && t.path && t.line && (t.source === "stack" || t.source === "other_service"))
    .slice(0, 2)) {
    const content = await signals.code.read(c.repo!, c.path!);
    if (!content) continue;
    const lang = languageOf(c.path!);
    const lines = content.split("\n");
    const span = enclosingFunction(content, c.line!, lang);
    const variable = readVariable(lines[c.line! - 1] ?? "");
    if (!span || !variable) continue;
    const producer = producerOf(content, span, c.line!, variable);
    if (!producer || producer.fn === c.function) continue;
    const where = await findDefinition(signals, c.repo!, c.path!, producer.fn, producer.receiver);
    if (!where) continue;
    const codeId = evidence.add(
      `code:${c.repo}:${c.path}:${producer.line}`,
      "code",
      `${c.path}:${producer.line}: ${lines[producer.line - 1]?.trim() ?? ""}`,
      {
        repo: c.repo,
        path: c.path,
        line: producer.line,
        code: lines[producer.line - 1]?.trim() ?? null,
      },
    );
    out.push({
      repo: c.repo,
      path: where.path,
      line: where.line,
      function: producer.fn,
      score: 0.4,
      reasons: [
        `produced \`${variable}\`, the value ${c.function ?? "the failing function"} reads on the failing line (one call outside the stack)`,
      ],
      evidence: [...c.evidence, codeId],
      source: "one_hop",
      // A test helper that built the value is context like the rest of the test code.
      ...(isTestPath(where.path) ? { test: true } : {}),
    });
  }
  return out;
}

/**
 * A function's definition: in the same file, a file it imports, or (for a call without a receiver) a file
 * changed in the regression window.
 */
async function findDefinition(
  signals: Signals,
  repo: string,
  fromPath: string,
  fn: string,
  receiver: string | undefined,
): Promise<{ path: string; line: number } | null> {
  const state = signals.repos.get(repo);
  if (!state) return null;
  const lang = languageOf(fromPath);
  const source = (await signals.code.read(repo, fromPath)) ?? "";
  const local = definitionLine(source, fn, lang);
  if (local) return { path: fromPath, line: local };
  const imported = importedFiles(source, fromPath, state.files);
  // `shape.area()` runs the class `shape` was declared as (or a subclass): its file, when the declaration
  // names one; a recently changed file that happens to define `area` would be a guess.
  const own = !receiver || /^(this|self|cls)$/.test(receiver);
  const declared = own ? null : declaredType(source, receiver!);
  const ext = fromPath.slice(fromPath.lastIndexOf("."));
  const changed = own
    ? state.window.flatMap((c) => c.files ?? []).filter((f) => languageOf(f) === lang)
    : state.files.filter((f) => declared && f.endsWith(`/${declared}${ext}`));
  for (const path of [...new Set([...imported, ...changed])].slice(0, 60)) {
    const content = await signals.code.read(repo, path);
    const line = content ? definitionLine(content, fn, lang) : null;
    if (line) return { path, line };
  }
  return null;
}

/** Repository files a source file imports (Python `from a.b import c`, JS/TS relative imports). */
export function importedFiles(source: string, fromPath: string, files: string[]): string[] {
  const out: string[] = [];
  const dir = fromPath.split("/").slice(0, -1);
  for (const m of source.matchAll(/^\s*from\s+([\w.]+)\s+import\b|^\s*import\s+([\w.]+)/gm)) {
    const mod = (m[1] ?? m[2]!).split(".");
    for (const f of files)
      if (f.endsWith(`${mod.join("/")}.py`) || f.endsWith(`${mod.join("/")}/__init__.py`)) out.push(f);
  }
  for (const m of source.matchAll(
    /\bfrom\s+["'](\.{1,2}\/[^"']+)["']|require\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g,
  )) {
    const rel = (m[1] ?? m[2]!).split("/");
    const parts = [...dir];
    for (const p of rel) {
      if (p === "..") parts.pop();
      else if (p !== ".") parts.push(p);
    }
    const base = parts.join("/").replace(/\.(js|ts|mjs)$/, "");
    for (const ext of [".ts", ".tsx", ".js", ".jsx", ".mjs", "/index.ts", "/index.js"])
      if (files.includes(base + ext)) out.push(base + ext);
  }
  return [...new Set(out)];
}
