import { EvidenceSet } from "../../analysis/evidence.ts";
import { issueKind } from "../../analysis/issue-kind.ts";
import { type LibraryFrame, throwingLibrary } from "../../analysis/library.ts";
import { data } from "../../format/markdown.ts";
import type { EvidenceRecord } from "../../store/types.ts";
import { clipDeep } from "../../text/clip.ts";
import type { Signals } from "../gather.ts";
import { type Candidate, isFailedCall } from "./candidates.ts";
import { applyHistory, type SuspectCommit } from "./history.ts";
import { listQuery } from "./list-query.ts";
import { type ChainStep, causalChain, summaryOf } from "./narrative.ts";
import { oneHopCandidates } from "./one-hop.ts";
import { enabled, HISTORY_SCALE, type RankingOptions } from "./rank.ts";
import { performanceCandidates, spanCandidates } from "./spans.ts";
import { stackCandidates } from "./stack.ts";

/**
 * The root-cause analysis proper: deterministic over the gathered signals. Candidates come from the stack,
 * other services, spans, profiles, an N+1's list query and one call hop outside the stack; history re-ranks
 * them; the verdict abstains when the stack is library-only or no repository is connected; the causal chain
 * cites evidence.
 */

export type Verdict = "in_app" | "third_party" | "unknown";

export interface RootCause {
  summary: string;
  kind: string;
  candidates: Candidate[];
  causal_chain: ChainStep[];
  suspect_commits: SuspectCommit[];
  confidence: { level: "high" | "medium" | "low"; score: number };
  verdict: Verdict;
  notes: string[];
  unmapped_frames: Array<{ frame: string; reason: string }>;
  library: LibraryFrame | null;
  related_issues: Array<{
    short_id: string | null;
    project: string | null;
    title: string | null;
    event_id: string | null;
  }>;
}

export async function analyzeSignals(
  signals: Signals,
  options: RankingOptions = {},
): Promise<{ result: RootCause; evidence: EvidenceRecord[] }> {
  const evidence = new EvidenceSet();
  const kind = issueKind(signals.issue, signals.event);
  const notes = [...signals.notes];
  const { local, all, crossService } = await sources(signals, evidence, kind, options);
  const commits = await applyHistory(
    signals,
    all,
    evidence,
    enabled(options, "history") ? (options.historyScale ?? HISTORY_SCALE) : 0,
  );
  for (const c of all) c.score = Math.round(Math.min(0.99, c.score) * 100) / 100;
  // Test code is context: it shows what was exercised, so it never ranks ahead of production code.
  const ranked = merge(all).sort(
    (a, b) => Number(!!a.test) - Number(!!b.test) || b.score - a.score || (a.rank ?? 9) - (b.rank ?? 9),
  );
  const verdict = verdictOf(signals, ranked, kind, notes);
  if (kind.note) notes.push(kind.note);
  const candidates = verdict === "third_party" ? [] : ranked.slice(0, 8);
  const top = verdict === "in_app" ? (candidates[0] ?? null) : null;
  const throwSite = local.find((c) => c.rank === 0) ?? null;
  const ctx = { signals, evidence, top, commits, verdict, crossService, throwSite };
  const chain = causalChain(ctx);
  // A library that only reported another service's failure (an HTTP client) is not where it went wrong.
  const library = crossService ? null : throwingLibrary(signals.main.stack);
  return {
    // Sentry text is the attacker's to size: every string of the result is cut at 1,000 characters.
    result: clipDeep(
      {
        summary: withLibrary(summaryOf(ctx), library, top),
        kind: kind.label,
        candidates,
        causal_chain: chain,
        suspect_commits: commits.map((c) => ({ ...c, score: Math.round(c.score * 100) / 100 })),
        confidence: confidence(verdict, candidates, commits, signals),
        verdict,
        notes,
        unmapped_frames: unmapped(signals),
        library,
        related_issues: signals.related.map((r) => ({
          short_id: r.ref.shortId,
          project: r.ref.project,
          title: r.ref.title,
          event_id: r.ref.eventId,
        })),
      },
      { text: 1_000, items: 100, depth: 8 },
    ),
    evidence: evidence.all(),
  };
}

/**
 * Every source's candidates, weighed against each other: this service's stack, other services' stacks,
 * spans of a failed call, profiles and an N+1's list query, then one call hop outside the stack. Whichever
 * side of a failed call raised the error, the other side's candidates are its effect.
 */
async function sources(
  signals: Signals,
  evidence: EvidenceSet,
  kind: ReturnType<typeof issueKind>,
  options: RankingOptions,
): Promise<{ local: Candidate[]; all: Candidate[]; crossService: boolean }> {
  const failed = isFailedCall(signals);
  const local = await stackCandidates(signals.main, evidence, 0.55, "stack", signals.code, options);
  const remote: Candidate[] = [];
  for (const r of signals.related)
    if (r.view)
      remote.push(...(await stackCandidates(r.view, evidence, 0.7, "other_service", signals.code, options)));
  const spans = failed && remote.length === 0 ? await spanCandidates(signals, evidence) : [];
  const perf = kind.kind === "performance" ? await performanceCandidates(signals, evidence) : [];
  if (/n_plus_one/i.test(kind.label) && enabled(options, "list-query"))
    perf.push(...(await listQuery(signals, perf)));
  const crossService = failed && (remote.some((c) => c.repo) || spans.some((c) => c.repo));
  const slug = signals.issue.project.slug;
  // This service raised the error; another service's failed call to it is the effect, kept as context.
  if (!failed) demote(remote, `only received the failure from ${slug}: an effect, not the cause`);
  if (crossService) demote(local, `${slug} only reported a failed call to another service`);
  const base = [...remote, ...spans, ...perf, ...local].sort((a, b) => b.score - a.score);
  const hops = enabled(options, "one-hop") ? await oneHopCandidates(signals, base, evidence) : [];
  return { local, all: merge([...base, ...hops]), crossService };
}

function demote(candidates: Candidate[], reason: string): void {
  for (const c of candidates) {
    c.score *= 0.45;
    c.reasons.push(reason);
  }
}

/** In-app unless every frame is library code (third party) or nothing maps to a file (unknown, saying why). */
function verdictOf(
  signals: Signals,
  ranked: Candidate[],
  kind: ReturnType<typeof issueKind>,
  notes: string[],
): Verdict {
  const anyFrames = [signals.main, ...signals.related.map((r) => r.view)].some((v) =>
    v?.chain.links.some((l) => (l.stacktrace?.frames.length ?? 0) > 0),
  );
  const anyInApp = ranked.length > 0;
  if (!anyInApp && anyFrames && kind.kind === "error") {
    notes.push("Every frame is library or runtime code; no application frame is named as the culprit.");
    return "third_party";
  }
  if (ranked.some((c) => c.repo && c.path)) return "in_app";
  if (signals.repos.size === 0)
    notes.push(
      `No repository is connected for project ${signals.issue.project.slug}: add {"name": "owner/name", "path": "/abs/checkout", "projects": ["${signals.issue.project.slug}"]} to repositories in the config file (or --repo PATH), or a Sentry code mapping; a client with elicitation is asked instead.`,
    );
  else if (!anyInApp) notes.push("The event has no application frames, spans or profile to tie to code.");
  else notes.push("No frame maps to a file in the connected repositories.");
  return "unknown";
}

/** One candidate per (repo, path, function): the highest score, every reason and piece of evidence. */
function merge(candidates: Candidate[]): Candidate[] {
  const out = new Map<string, Candidate>();
  for (const c of candidates) {
    const key = `${c.repo}\u0000${c.path}\u0000${c.function}`;
    const existing = out.get(key);
    if (!existing) {
      out.set(key, { ...c, reasons: [...c.reasons], evidence: [...c.evidence] });
      continue;
    }
    if (c.score > existing.score) {
      existing.score = c.score;
      existing.source = c.source;
      existing.line = c.line ?? existing.line;
    }
    for (const r of c.reasons) if (!existing.reasons.includes(r)) existing.reasons.push(r);
    for (const e of c.evidence) if (!existing.evidence.includes(e)) existing.evidence.push(e);
  }
  return [...out.values()];
}

/**
 * Calibrated on real crashes (`npm run bench:real`): "high" where the top candidate was right at least 80% of
 * the time there — the only production frame on the stack, or a lead of 0.3 over the next candidate.
 */
function confidence(
  verdict: Verdict,
  candidates: Candidate[],
  commits: SuspectCommit[],
  signals: Signals,
): RootCause["confidence"] {
  if (verdict === "unknown") return { level: "low", score: 0.15 };
  if (verdict === "third_party") return { level: "medium", score: 0.55 };
  const [first, second] = candidates;
  if (!first) return { level: "low", score: 0.1 };
  if (first.test) return { level: "low", score: 0.2 };
  const margin = first.score - (second?.score ?? 0);
  const production = candidates.filter(
    (c) => (c.source === "stack" || c.source === "other_service") && !c.test,
  );
  const alone = production.length === 1 && production[0] === first;
  let score = 0.45 * first.score + 0.35 * Math.min(1, margin / 0.3) + (alone ? 0.25 : 0);
  if (commits.some((c) => c.source === "git" && c.score >= 0.6 && c.path === first.path)) score += 0.1;
  if (!first.path || !first.repo) score -= 0.2;
  if (signals.problems.length > 0) score -= 0.05;
  score = Math.round(Math.max(0, Math.min(1, score)) * 100) / 100;
  return { level: score >= 0.7 ? "high" : score >= 0.45 ? "medium" : "low", score };
}

/** Names the library the error surfaced in, and the application call that handed it the input. */
function withLibrary(summary: string, library: LibraryFrame | null, top: Candidate | null): string {
  if (!library) return summary;
  const version = library.version ? ` ${data(library.version, 40)}` : "";
  const caller = top?.path
    ? `, called from ${top.function ?? "application code"} (${top.path}${top.line ? `:${top.line}` : ""}), which handed it the input`
    : "";
  return `${summary} It was raised inside the library ${data(library.name, 80)}${version} at ${data(library.frame, 160)}${caller}.`;
}

function unmapped(signals: Signals): RootCause["unmapped_frames"] {
  const out: RootCause["unmapped_frames"] = [];
  for (const view of [signals.main, ...signals.related.map((r) => r.view)]) {
    if (!view?.stack) continue;
    view.stack.frames.forEach((f, i) => {
      const loc = view.locations[i];
      if (f.inApp && loc && !loc.path)
        out.push({
          frame: `${view.project}: ${f.filename ?? f.absPath ?? f.module ?? "?"}${f.lineNo ? `:${f.lineNo}` : ""} in ${f.function ?? "?"}`,
          reason: loc.reason,
        });
    });
  }
  return out.slice(0, 10);
}
