import { safeRepoPath } from "../../code/paths.ts";
import type { StageContext } from "../../context.ts";
import type { RootCauseOutput } from "../../contract/root-cause.ts";
import type { SolutionOutput } from "../../contract/solution.ts";
import { storedOutput } from "../../contract/stored.ts";
import { inputError } from "../../errors.ts";
import type { RunRecord } from "../../store/types.ts";
import { buildPlan } from "./patterns.ts";
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
  const repo = rc.candidates[0]?.repo ? ctx.repos.byName(rc.candidates[0].repo) : undefined;
  const plan = buildPlan(
    rc,
    exception ?? null,
    run.evidence,
    await testHints(repo?.host ?? null, ctx.signal),
  );
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

interface SolutionEdit {
  remove?: string[] | undefined;
  add?: Array<{ title: string; description: string; files?: string[] | undefined }> | undefined;
  /** Move a step to a 1-based position. */
  move?: { id: string; to: number } | undefined;
}

export function editSolution(
  ctx: Pick<StageContext, "store">,
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
      repo: (a.files?.length ? kept.find((s) => s.repo)?.repo : null) ?? null,
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
