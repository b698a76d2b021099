/** The solution stage's plan: what each fix pattern produces (fixes.ts) and buildPlan assembles (patterns.ts). */

export type Pattern =
  | "missing_value"
  | "bad_downstream"
  | "timeout"
  | "n_plus_one"
  | "library"
  | "unlocated"
  | "logic";

export interface PlanStep {
  id: string;
  /** The repository the files belong to; null for steps without files. */
  repo: string | null;
  title: string;
  description: string;
  files: string[];
  evidence: string[];
}

export interface PlanTest {
  /** The repository the test file belongs to (the step's it covers); null without a file. */
  repo?: string | null;
  title: string;
  description: string;
  file: string | null;
  command: string | null;
}

/** Test hints per repository: each repository has its own layout and test command. */
export type HintsFor = (repo: string | null) => TestHints;

export interface TestHints {
  /** Existing or conventional test file for a source path. */
  testFileFor(path: string): string | null;
  command(testFile: string | null): string | null;
}

export interface Plan {
  pattern: Pattern;
  steps: PlanStep[];
  tests: PlanTest[];
  avoid: string[];
}

export interface Exception {
  type: string | null;
  value: string | null;
}
