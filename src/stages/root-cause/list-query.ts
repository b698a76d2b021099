import {
  enclosingFunction,
  type FunctionSpan,
  type Language,
  languageOf,
} from "../../analysis/code-structure.ts";
import { insideLoop } from "../../analysis/failing-line.ts";
import { summarizeProfile } from "../../analysis/profile.ts";
import type { ProfileFrame } from "../../sentry/profiles.ts";
import type { Signals } from "../gather.ts";
import type { Candidate } from "./candidates.ts";

/**
 * N+1: the repeated query runs once per row of a list, so the fix (one query for all rows: eager loading, a
 * join, `WHERE id IN (…)`) belongs where the list is loaded and looped over, not in the per-item function
 * that issues the query. When the per-item function runs the query inside its own loop, it is that place;
 * otherwise the function of the same file that calls it once per row is (the profile's caller, when it has one).
 */
export async function listQuery(signals: Signals, perf: Candidate[]): Promise<Candidate[]> {
  const perItem = [...perf]
    .filter((c) => c.repo && c.path && c.line && c.function)
    .sort((a, b) => b.score - a.score)[0];
  if (!perItem) return [];
  const source = await signals.code.read(perItem.repo!, perItem.path!);
  if (!source) return [];
  const lang = languageOf(perItem.path!);
  const fn = perItem.function!.split(/[.:#]/).pop()!;
  if (loopsAt(source, perItem.line!, lang)) {
    perItem.reasons.push("runs the query inside its own loop over the rows: load them all in one query here");
    return [];
  }
  const own = enclosingFunction(source, perItem.line!, lang);
  const parent = profileParent(signals, fn);
  const found = callerInLoop(source, fn, own, parent?.name ?? null, lang);
  if (!found) return [];
  perItem.reasons.push(`the per-item query: ${found.name} calls ${fn} once per row (line ${found.line})`);
  return [
    {
      repo: perItem.repo,
      path: perItem.path,
      line: found.line,
      function: found.name,
      score: perItem.score + 0.05,
      reasons: [
        `loops over the rows of its list and calls ${fn} once per row (line ${found.line}): load the rows' data in one query here (eager loading or batching)`,
      ],
      evidence: [...new Set(perf.filter((c) => c.function === perItem.function).flatMap((c) => c.evidence))],
      source: "list_query",
    },
  ];
}

interface Caller {
  name: string;
  line: number;
}

/** A function of the same file that calls `fn` once per item (and is the profile's caller, when it names one). */
function callerInLoop(
  source: string,
  fn: string,
  own: FunctionSpan | null,
  parent: string | null,
  lang: Language,
): Caller | null {
  const lines = source.split("\n");
  const call = new RegExp(`(?<![\\w$])${fn.replace(/\$/g, "\\$")}\\s*\\(`);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    if (own && lineNo >= own.start && lineNo <= own.end) continue;
    if (!call.test(lines[i]!) || !loopsAt(source, lineNo, lang)) continue;
    const caller = enclosingFunction(source, lineNo, lang);
    if (caller?.name && (!parent || parent === caller.name)) return { name: caller.name, line: lineNo };
  }
  return null;
}

/** True when the line runs once per item: inside a loop, a one-line loop, or a `.map`/`.forEach` callback. */
function loopsAt(source: string, lineNo: number, lang: Language): boolean {
  const line = source.split("\n")[lineNo - 1] ?? "";
  return (
    insideLoop(source, lineNo, lang) ||
    /^\s*(?:for|while)\b|\.(?:map|forEach|flatMap|each)\s*\(|\bfor\b.+\bin\b/.test(line)
  );
}

/** The in-app function that called `fn` on the profile's heaviest path through it, if the profile shows one. */
function profileParent(signals: Signals, fn: string): ProfileFrame | null {
  if (!signals.profile) return null;
  for (const path of summarizeProfile(signals.profile).hotPaths) {
    const at = path.frames.findIndex((f) => f.inApp && f.name.split(/[.:#]/).pop() === fn);
    const up = at > 0 ? path.frames[at - 1] : undefined;
    if (up?.inApp) return { ...up, name: up.name.split(/[.:#]/).pop() ?? up.name };
  }
  return null;
}
