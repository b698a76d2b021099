import type { ProfileData, ProfileFrame } from "../sentry/profiles.ts";

/**
 * Where the time went: the heaviest root → leaf paths, and functions ranked by self time (they were the
 * leaf) and by total time (they were anywhere on the stack, counted once per sample).
 */

export interface HotPath {
  frames: ProfileFrame[];
  weight: number;
  share: number;
}

export interface FunctionStat {
  frame: ProfileFrame;
  self: number;
  total: number;
  selfShare: number;
  totalShare: number;
}

export interface ProfileSummary {
  totalWeight: number;
  sampleCount: number;
  hotPaths: HotPath[];
  bySelf: FunctionStat[];
  byTotal: FunctionStat[];
  /** The in-app function with the most self time, else with the most total time. */
  hottestInApp: FunctionStat | null;
}

export function summarizeProfile(profile: ProfileData, limits = { paths: 5, functions: 10 }): ProfileSummary {
  const key = (f: ProfileFrame) => `${f.name}\u0000${f.file ?? ""}\u0000${f.line ?? ""}`;
  const byStack = new Map<string, { stack: number[]; weight: number }>();
  const stats = new Map<string, FunctionStat>();
  let total = 0;
  for (const sample of profile.samples) {
    if (sample.stack.length === 0) continue;
    total += sample.weight;
    const stackKey = sample.stack.join(",");
    const entry = byStack.get(stackKey) ?? { stack: sample.stack, weight: 0 };
    entry.weight += sample.weight;
    byStack.set(stackKey, entry);
    const seen = new Set<string>();
    sample.stack.forEach((index, position) => {
      const frame = profile.frames[index]!;
      const k = key(frame);
      const stat = stats.get(k) ?? { frame, self: 0, total: 0, selfShare: 0, totalShare: 0 };
      if (!seen.has(k)) {
        stat.total += sample.weight;
        seen.add(k);
      }
      if (position === sample.stack.length - 1) stat.self += sample.weight;
      stats.set(k, stat);
    });
  }
  const all = [...stats.values()].map((s) => ({
    ...s,
    selfShare: total ? s.self / total : 0,
    totalShare: total ? s.total / total : 0,
  }));
  const hotPaths = [...byStack.values()]
    .sort((a, b) => b.weight - a.weight)
    .slice(0, limits.paths)
    .map((p) => ({
      frames: p.stack.map((i) => profile.frames[i]!),
      weight: p.weight,
      share: total ? p.weight / total : 0,
    }));
  const bySelf = [...all].filter((s) => s.self > 0).sort((a, b) => b.self - a.self);
  const byTotal = [...all].sort((a, b) => b.total - a.total);
  const inApp = all.filter((s) => s.frame.inApp);
  const hottestInApp = [...inApp].sort((a, b) => b.self - a.self)[0]?.self
    ? [...inApp].sort((a, b) => b.self - a.self)[0]!
    : ([...inApp].sort((a, b) => b.total - a.total)[0] ?? null);
  return {
    totalWeight: total,
    sampleCount: profile.samples.length,
    hotPaths,
    bySelf: bySelf.slice(0, limits.functions),
    byTotal: byTotal.slice(0, limits.functions),
    hottestInApp,
  };
}
