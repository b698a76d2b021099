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
  title: string;
  description: string;
  file: string | null;
  command: string | null;
}

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
