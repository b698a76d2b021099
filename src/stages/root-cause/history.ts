import {
  definitionLine,
  enclosingFunction,
  languageOf,
  messageTokens,
} from "../../analysis/code-structure.ts";
import type { EvidenceSet } from "../../analysis/evidence.ts";
import { mentionsToken, parsePatch, touchesFunction } from "../../analysis/patch.ts";
import type { CommitInfo } from "../../code/types.ts";
import type { Signals } from "../gather.ts";
import type { Candidate } from "./candidates.ts";

/**
 * What the history says about each candidate: commits in the regression window that changed its file, its
 * function, or lines mentioning the key or attribute the error names. Each is evidence; together they rank
 * the candidates and name the commit that most likely introduced the bug.
 */

export interface SuspectCommit {
  sha: string;
  subject: string | null;
  author: string | null;
  date: string | null;
  repo: string | null;
  path: string | null;
  score: number;
  evidence: string;
  source: "git" | "sentry";
}

const MAX_DIFFS_PER_CANDIDATE = 12;

/** Names so common that a commit mentioning them says little about the error that names them. */
const GENERIC_TOKENS = new Set(
  "name id value data type key keys item items text code status message length size result response body content url path get set map push call then apply json toString format split replace strip lower upper decode encode args kwargs config options params request self this error errors info len count index".split(
    " ",
  ),
);

/** What one history reading shares across candidates: the error's tokens, Sentry's suspects, the finds. */
interface HistoryRun {
  signals: Signals;
  evidence: EvidenceSet;
  tokens: string[];
  sentryShas: Set<string>;
  found: Map<string, SuspectCommit>;
  /** How far the history may move a candidate (rank.ts). */
  scale: number;
}

/** A candidate with a place in a repository, as the history reads it. */
type Located = Candidate & { repo: string; path: string };

/** Which of a candidate's reasons one commit has already given (each counts once). */
interface Given {
  file: boolean;
  function: boolean;
  mention: boolean;
}

export async function applyHistory(
  signals: Signals,
  candidates: Candidate[],
  evidence: EvidenceSet,
  /** How far the history may move a candidate (rank.ts). */
  scale = 1,
): Promise<SuspectCommit[]> {
  const run: HistoryRun = {
    signals,
    evidence,
    tokens: [...new Set(signals.main.chain.links.flatMap((l) => messageTokens(l.exception.value)))],
    sentryShas: new Set((signals.suspectCommits ?? []).map((c) => c.sha.toLowerCase())),
    found: new Map(),
    scale,
  };
  const best = Math.max(0.01, ...candidates.map((c) => c.score));
  for (const c of candidates) {
    if (!c.repo || !c.path) continue;
    // A commit matters as much as the candidate it touched.
    await candidateHistory(run, c as Located, 0.5 + 0.5 * Math.min(1, c.score / best));
  }
  await commitsNamingFailingValues(signals, candidates, evidence, run.found);
  sentryOnlySuspects(run);
  return [...run.found.values()].sort((a, b) => b.score - a.score).slice(0, 8);
}

/** The commits in the window that changed a candidate's file, each weighed against the candidate. */
async function candidateHistory(run: HistoryRun, c: Located, weight: number): Promise<void> {
  const state = run.signals.repos.get(c.repo);
  if (!state) return;
  const fn = await functionOf(run.signals, c);
  const given: Given = { file: false, function: false, mention: false };
  for (const commit of await commitsTouching(run.signals, c.repo, state.window, c.path))
    await weighCommit(run, c, commit, { ...fn, weight, given });
}

/** The function a candidate names: its name where the code defines it, and its body's lines. */
async function functionOf(signals: Signals, c: Located): Promise<{ fnName: string | null; body: string[] }> {
  const content = await signals.code.read(c.repo, c.path);
  const lang = languageOf(c.path);
  const shortName = c.function?.split(/[.:#]/).pop() ?? null;
  const at = c.line ?? (content && shortName ? definitionLine(content, shortName, lang) : null);
  const span = content && at ? enclosingFunction(content, at, lang) : null;
  const body = span && content ? content.split("\n").slice(span.start - 1, span.end) : [];
  return { fnName: span?.name ?? shortName, body };
}

/**
 * One commit against one candidate: evidence always; score for changing its function or lines mentioning
 * what the error names (each once per candidate); a suspect entry scored by what it did, times the weight.
 */
async function weighCommit(
  run: HistoryRun,
  c: Located,
  commit: CommitInfo,
  at: { fnName: string | null; body: string[]; weight: number; given: Given },
): Promise<void> {
  const { signals, evidence, scale } = run;
  const diff = await signals.code.diff(c.repo, commit.sha);
  const hunks = parsePatch(diff?.files.find((f) => f.path === c.path)?.patch ?? null);
  const touched = at.fnName ? touchesFunction(hunks, at.fnName, at.body) : false;
  const token = run.tokens.find((t) => mentionsToken(hunks, t)) ?? null;
  const sha = commit.sha.toLowerCase();
  const bySentry = [...run.sentryShas].some((s) => sha.startsWith(s) || s.startsWith(sha));
  const id = commitEvidence(evidence, commit, c.repo, diff?.files.map((f) => f.path) ?? commit.files ?? []);
  c.evidence.push(id);
  const parts: string[] = [];
  if (!at.given.file) {
    // Merely changing the file raises nothing: measured on real crashes, it helped no more than it hurt.
    at.given.file = true;
    parts.push(`changed ${c.path}`);
  }
  if (touched && !at.given.function) {
    at.given.function = true;
    c.score += 0.2 * scale;
    parts.push(`changed ${at.fnName}`);
  }
  if (token && !at.given.mention) {
    at.given.mention = true;
    c.score += (GENERIC_TOKENS.has(token) ? 0.05 : 0.35) * scale;
    parts.push(`changed lines mentioning '${token}', which the error names`);
  }
  if (bySentry) c.score += 0.05 * scale;
  if (parts.length > 0)
    c.reasons.push(
      `commit ${commit.sha.slice(0, 12)} ("${commit.subject}", ${commit.date.slice(0, 10)}) ${parts.join(", ")}`,
    );
  const score =
    (0.3 + (touched ? 0.3 : 0) + (token && !GENERIC_TOKENS.has(token) ? 0.3 : 0) + (bySentry ? 0.1 : 0)) *
    at.weight;
  const previous = run.found.get(commit.sha);
  if (!previous || previous.score < score) {
    run.found.set(commit.sha, {
      sha: commit.sha,
      subject: commit.subject,
      author: commit.author,
      date: commit.date,
      repo: c.repo,
      path: c.path,
      score,
      evidence: id,
      source: "git",
    });
  }
}

/** A commit in the window as evidence: who changed what, when, and which files. */
function commitEvidence(evidence: EvidenceSet, commit: CommitInfo, repo: string, files: string[]): string {
  return evidence.add(
    `commit:${commit.sha.slice(0, 12)}`,
    "commit",
    `${commit.sha.slice(0, 12)} "${commit.subject}" by ${commit.author} on ${commit.date.slice(0, 10)}`,
    { sha: commit.sha, subject: commit.subject, author: commit.author, date: commit.date, repo, files },
  );
}

/** Sentry's own suspects that the history did not confirm are still worth listing, with less weight. */
function sentryOnlySuspects({ signals, evidence, found }: HistoryRun): void {
  for (const s of signals.suspectCommits ?? []) {
    if ([...found.keys()].some((sha) => sha.startsWith(s.sha) || s.sha.startsWith(sha))) continue;
    // The same change under another SHA (rebased, squashed or cherry-picked) is listed once, from git.
    if ([...found.values()].some((f) => sameChange(f, s))) continue;
    const id = evidence.add(
      `commit:${s.sha.slice(0, 12)}`,
      "commit",
      `${s.sha.slice(0, 12)} "${s.subject ?? ""}" by ${s.author ?? "?"} (Sentry suspect commit${s.suspectType ? `, ${s.suspectType}` : ""})`,
      {
        sha: s.sha,
        subject: s.subject,
        author: s.author,
        date: s.date,
        repository: s.repository,
        source: "sentry",
      },
    );
    found.set(s.sha, {
      sha: s.sha,
      subject: s.subject,
      author: s.author,
      date: s.date,
      repo: s.repository,
      path: null,
      score: 0.2,
      evidence: id,
      source: "sentry",
    });
  }
}

/**
 * The value that failed often comes from elsewhere: `format_address(order.shipping_address)` fails because a
 * commit made `shipping_address` optional in a model no frame points at. Commits in the window whose diff
 * mentions an identifier the failing lines read are suspects too.
 */
async function commitsNamingFailingValues(
  signals: Signals,
  candidates: Candidate[],
  evidence: EvidenceSet,
  found: Map<string, SuspectCommit>,
): Promise<void> {
  const top = [...candidates].sort((a, b) => b.score - a.score)[0];
  const lines = top && top.source === "stack" && top.repo && top.path && top.line ? [top] : [];
  for (const c of lines) {
    const content = await signals.code.read(c.repo!, c.path!);
    const code = content?.split("\n")[c.line! - 1] ?? "";
    const names = [
      ...new Set([...code.matchAll(/\.([A-Za-z_$][\w$]{4,})\b(?!\s*\()/g)].map((m) => m[1]!)),
    ].filter((n) => !GENERIC_TOKENS.has(n));
    if (names.length === 0) continue;
    const state = signals.repos.get(c.repo!);
    for (const commit of (state?.window ?? []).slice(0, MAX_DIFFS_PER_CANDIDATE)) {
      if ((found.get(commit.sha)?.score ?? 0) >= 0.65) continue;
      const diff = await signals.code.diff(c.repo!, commit.sha);
      if (!diff) continue;
      const file = diff.files.find((f) => names.some((n) => mentionsToken(parsePatch(f.patch), n)));
      if (!file) continue;
      const name = names.find((n) => mentionsToken(parsePatch(file.patch), n))!;
      const id = commitEvidence(
        evidence,
        commit,
        c.repo!,
        diff.files.map((f) => f.path),
      );
      if (!c.evidence.includes(id)) c.evidence.push(id);
      c.reasons.push(
        `commit ${commit.sha.slice(0, 12)} ("${commit.subject}") changed \`${name}\` in ${file.path}, which the failing line reads`,
      );
      found.set(commit.sha, {
        sha: commit.sha,
        subject: commit.subject,
        author: commit.author,
        date: commit.date,
        repo: c.repo,
        path: file.path,
        score: 0.65,
        evidence: id,
        source: "git",
      });
    }
  }
}

async function commitsTouching(
  signals: Signals,
  repo: string,
  window: CommitInfo[],
  path: string,
): Promise<CommitInfo[]> {
  const known = window.filter((c) => c.files !== undefined);
  if (known.length === window.length) return window.filter((c) => c.files!.includes(path));
  // Hosts that do not list files per commit (GitHub's list API): ask for the diffs, a bounded number.
  const out: CommitInfo[] = [];
  for (const c of window.slice(0, MAX_DIFFS_PER_CANDIDATE)) {
    const diff = await signals.code.diff(repo, c.sha);
    if (diff?.files.some((f) => f.path === path)) out.push(c);
  }
  return out;
}

/** Same subject and author: one change whose SHA differs between Sentry's release data and the checkout. */
function sameChange(a: { subject: string | null; author: string | null }, b: typeof a): boolean {
  const subject = a.subject?.trim();
  return Boolean(subject) && subject === b.subject?.trim() && (a.author ?? "") === (b.author ?? "");
}
