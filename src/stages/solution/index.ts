import { connectedRepository } from "../../code/connected.ts";
import { safeRepoPath } from "../../code/paths.ts";
import type { StageContext } from "../../context.ts";
import type { RootCauseOutput } from "../../contract/root-cause.ts";
import type { SolutionOutput } from "../../contract/solution.ts";
import { storedOutput } from "../../contract/stored.ts";
import { inputError } from "../../errors.ts";
import type { RunRecord } from "../../store/types.ts";
import { buildPlan } from "./patterns.ts";
import type { HintsFor } from "./plan.ts";
import { testHints } from "./test-hints.ts";

/**
 * The solution stage: a plan derived from the run's latest root cause and its evidence, stored as the next
 * solution revision; edits make further revisions. The edited plan is what hand_off sends.
 */

export function requireRun(ctx: Pick<StageContext, "store">, runId: string): RunRecord {
  const run = ctx.store().getRun(runId.trim());
  if (!run)
    throw inputError(
      `run ${runId} does not exist.`,
      "get_run without arguments lists recent runs; analyze_root_cause starts one.",
    );
  return run;
}

export function latestRootCause(run: RunRecord): { output: RootCauseOutput; revision: number } {
  const stage = run.stages.root_cause;
  if (!stage)
    throw inputError(
      `run ${run.id} has no root cause${run.error ? ` (${run.error})` : ""}.`,
      "Run analyze_root_cause on the issue first.",
    );
  return { output: storedOutput(run.id, "root_cause", stage.output), revision: stage.revision };
}

export async function proposeSolution(
  ctx: StageContext,
  runId: string,
  instructions?: string,
): Promise<SolutionOutput> {
  const run = requireRun(ctx, runId);
  const { output: rc, revision } = latestRootCause(run);
  const exception = run.evidence.find((e) => e.id.startsWith("exception:main:"))?.data as
    | { type: string | null; value: string | null }
    | undefined;
  const plan = buildPlan(rc, exception ?? null, run.evidence, await hintsPerRepo(ctx, rc));
  const notes: string[] = [];
  if (instructions?.trim()) {
    plan.steps.push({
      id: `s${plan.steps.length + 1}`,
      repo: null,
      title: "From your instructions",
      description: instructions.trim(),
      files: [],
      evidence: [],
    });
    notes.push("The last step comes from the instructions given to propose_solution.");
  }
  if (rc.confidence.level === "low")
    notes.push(
      `The root cause has low confidence (${rc.confidence.score}); verify it in the code before implementing.`,
    );
  const previous = run.stages.solution?.revision ?? 0;
  const output: SolutionOutput = {
    run_id: run.id,
    revision: previous + 1,
    root_cause_revision: revision,
    stale: false,
    pattern: plan.pattern,
    steps: plan.steps,
    tests: plan.tests,
    avoid: plan.avoid,
    notes,
  };
  ctx.store().completeStage(run.id, "solution", output);
  return output;
}

/** Test hints for every repository a candidate names (a plan's steps and tests may span them), read at once. */
async function hintsPerRepo(ctx: StageContext, rc: RootCauseOutput): Promise<HintsFor> {
  const names = [...new Set(rc.candidates.map((c) => c.repo).filter((r): r is string => Boolean(r)))];
  const hints = new Map(
    await Promise.all(
      names.map(
        async (name) => [name, await testHints(ctx.repos.byName(name)?.host ?? null, ctx.signal)] as const,
      ),
    ),
  );
  const none = await testHints(null);
  return (repo) => (repo ? hints.get(repo) : undefined) ?? hints.get(names[0] ?? "") ?? none;
}

/**
 * The repository of an added step: the one it names — connected and admitted by the allowlist, since the
 * brief and our token go there — else the plan's first repository when it names files.
 */
function addedStepRepo(
  ctx: Pick<StageContext, "repos" | "config">,
  added: { files?: string[] | undefined; repo?: string | undefined },
  steps: Array<{ repo: string | null }>,
): string | null {
  if (added.repo?.trim())
    return connectedRepository(ctx.repos, ctx.config.allowedRepositories, added.repo.trim()).name;
  return (added.files?.length ? steps.find((s) => s.repo)?.repo : null) ?? null;
}

interface SolutionEdit {
  remove?: string[] | undefined;
  add?:
    | Array<{ title: string; description: string; files?: string[] | undefined; repo?: string | undefined }>
    | undefined;
  /** Move a step to a 1-based position. */
  move?: { id: string; to: number } | undefined;
}

export function editSolution(
  ctx: Pick<StageContext, "store" | "repos" | "config">,
  runId: string,
  edit: SolutionEdit,
): SolutionOutput {
  const run = requireRun(ctx, runId);
  const stage = run.stages.solution;
  if (!stage) throw inputError(`run ${run.id} has no plan yet.`, "Call propose_solution first.");
  const current = storedOutput(run.id, "solution", stage.output);
  const steps = structuredClone(current.steps);
  const known = (id: string) => {
    if (!steps.some((s) => s.id === id))
      throw inputError(`step "${id}" is not in the plan (steps: ${steps.map((s) => s.id).join(", ")}).`);
  };
  for (const id of edit.remove ?? []) known(id);
  const kept = steps.filter((s) => !(edit.remove ?? []).includes(s.id));
  let next = Math.max(0, ...steps.map((s) => Number(s.id.slice(1)) || 0)) + 1;
  for (const a of edit.add ?? [])
    kept.push({
      id: `s${next++}`,
      repo: addedStepRepo(ctx, a, kept),
      title: a.title.trim(),
      description: a.description.trim(),
      // Added steps reach the brief as files to change: only paths inside the repository.
      files: (a.files ?? []).map(safeRepoPath),
      evidence: [],
    });
  if (edit.move) {
    const from = kept.findIndex((s) => s.id === edit.move!.id);
    if (from < 0) throw inputError(`step "${edit.move.id}" is not in the plan.`);
    const [moved] = kept.splice(from, 1);
    kept.splice(Math.min(Math.max(edit.move.to - 1, 0), kept.length), 0, moved!);
  }
  if (kept.length === 0)
    throw inputError("the edit would leave the plan empty.", "Keep at least one step, or add one.");
  const output: SolutionOutput = {
    ...current,
    revision: stage.revision + 1,
    steps: kept,
    stale: stage.status === "stale",
  };
  ctx.store().completeStage(run.id, "solution", output);
  if (stage.status === "stale") ctx.store().markStale(run.id, "solution");
  return output;
}
