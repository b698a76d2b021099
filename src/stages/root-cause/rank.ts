/**
 * The ranking signals that can be switched off one at a time. Each earns its place on real crashes:
 * `npm run bench:real -- --ablate` ranks every case with each one off and prints the difference.
 */
export const RANKING_SIGNALS = [
  "test-code",
  "test-subject",
  "exception-factory",
  "limit-loop",
  "null-argument",
  "checked-argument",
  "forwarded-argument",
  "concurrent-modification",
  "one-hop",
  "list-query",
  "history",
] as const;
export type RankingSignal = (typeof RANKING_SIGNALS)[number];

export interface RankingOptions {
  disable?: readonly RankingSignal[];
  /** Multiplies every score the history adds (bench experiments); HISTORY_SCALE otherwise. */
  historyScale?: number;
}

/**
 * How far history moves a candidate. On bench:real ×0.5 scored 1.4 points higher at file@1 than ×1, within
 * noise, and that bench cannot know when a Defects4J bug was introduced (its regression window is the weeks
 * before the buggy revision); the corpus's regressions, where history is the evidence, need ×1.
 */
export const HISTORY_SCALE = 1;

export function enabled(options: RankingOptions, signal: RankingSignal): boolean {
  return !options.disable?.includes(signal);
}
