import type { SolutionOutput } from "../contract/solution.ts";

/**
 * A plan whose steps name files in several repositories is one fix in several parts: one per repository,
 * each handed to its own agent and opening its own pull request on the same branch. The part of the
 * repository where the fix belongs (the top candidate's) comes first, then the others in plan order; steps
 * and tests without a repository (instructions, a report step) go with the first part.
 */

export interface PlanPart {
  /** 1-based. */
  index: number;
  /** The repository's configured name; null when no step names one. */
  repo: string | null;
  steps: SolutionOutput["steps"];
  tests: SolutionOutput["tests"];
}

export function splitPlan(plan: Pick<SolutionOutput, "steps" | "tests">, primary: string | null): PlanPart[] {
  const named = [...new Set(plan.steps.map((s) => s.repo).filter((r): r is string => Boolean(r)))];
  const repos = primary && named.includes(primary) ? [primary, ...named.filter((r) => r !== primary)] : named;
  if (repos.length <= 1)
    return [{ index: 1, repo: repos[0] ?? primary, steps: plan.steps, tests: plan.tests }];
  const first = repos[0]!;
  // A test without a repository was planned before tests carried one: it covers the plan's first step.
  const testRepo = (t: SolutionOutput["tests"][number]) =>
    t.repo ?? (t.file ? (plan.steps.find((s) => s.repo)?.repo ?? first) : first);
  return repos.map((repo, i) => ({
    index: i + 1,
    repo,
    steps: plan.steps.filter((s) => (s.repo ?? first) === repo),
    tests: plan.tests.filter((t) => (repos.includes(testRepo(t)) ? testRepo(t) : first) === repo),
  }));
}

/** What one part's brief says about the fix's other parts, and the chat brief about all of them. */
export interface PartsView {
  /** The part this brief is for; null for the chat brief, which holds every part. */
  current: number | null;
  branch: string;
  parts: Array<{
    index: number;
    repo: string | null;
    steps: Array<{ id: string; title: string }>;
    /** The dispatch that carries this part to its agent, and where to follow it once known. */
    dispatchId: string | null;
    url: string | null;
  }>;
}
