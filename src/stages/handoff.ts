import { connectedRepository, githubSlug } from "../code/connected.ts";
import { safeRepoPath } from "../code/paths.ts";
import type { StageContext } from "../context.ts";
import type { HandoffOutput } from "../contract/handoff.ts";
import type { RootCauseOutput } from "../contract/root-cause.ts";
import type { SolutionOutput } from "../contract/solution.ts";
import { storedOutput } from "../contract/stored.ts";
import { configError, inputError } from "../errors.ts";
import { dispatchBrief, dispatchIdFor, resolveTarget } from "../handoff/dispatch.ts";
import { type PartsView, type PlanPart, splitPlan } from "../handoff/parts.ts";
import type { TargetConfig } from "../handoff/types.ts";
import type { RunRecord } from "../store/types.ts";
import { type BriefBasis, briefBasis, composeBrief } from "./handoff-brief.ts";
import { latestRootCause, proposeSolution, requireRun } from "./solution/index.ts";

type PartDispatch = NonNullable<HandoffOutput["dispatches"]>[number];

/**
 * The handoff stage: the coding brief built from the run's root cause, its (edited) plan, the rules that
 * apply to the planned files, and PR conventions. For the chat target the agent in the conversation takes
 * it from here; a background target gets one dispatch per repository the plan's steps span.
 */
export async function handOff(
  ctx: StageContext,
  input: {
    runId: string;
    target?: string | undefined;
    instructions?: string | undefined;
    jobId?: string | null;
  },
): Promise<HandoffOutput> {
  const target = input.target ?? "chat";
  const background = target === "chat" ? null : resolveTarget(ctx, target);
  const notes: string[] = [];
  const { run, rc, solution } = await currentPlan(ctx, input.runId, notes);
  const parts = splitPlan(solution, rc.candidates[0]?.repo ?? null);
  const codeGeneration = ctx.config.codeGeneration;
  // Every part's repository is checked before any agent starts: a fix is not sent half-way for want of one.
  // The top candidate names the repository the fix belongs in: a stored run naming one this server is not
  // connected to is refused, even when the plan's steps name others.
  const dispatching = background !== null && codeGeneration;
  const topRepo = rc.candidates[0]?.repo;
  if (dispatching && topRepo) connectedRepository(ctx.repos, ctx.config.allowedRepositories, topRepo);
  const repositories = dispatching ? parts.map((p) => dispatchRepository(ctx, run, rc, p)) : [];
  const basis = await briefBasis(ctx, run, rc, solution, parts, notes);
  const instructions = input.instructions?.trim() || null;
  const whole = composeBrief(
    ctx,
    basis,
    solution,
    { repo: parts[0]!.repo, rules: basis.rules, view: partsView(parts, null, basis.branch, () => null) },
    instructions,
  );
  if (!codeGeneration)
    notes.push(
      "Code generation is disabled (codeGeneration: false): the brief is a report; no coding agent was asked to change code.",
    );
  if (parts.length > 1)
    notes.push(
      `The fix spans ${parts.length} repositories (${parts.map((p) => p.repo).join(", ")}): one pull request per repository, on the same branch.`,
    );
  let dispatches: PartDispatch[] = parts.map((p) => ({
    repo: p.repo,
    target,
    status: codeGeneration ? "ready" : "disabled",
    url: null,
  }));
  if (background && codeGeneration)
    dispatches = await sendParts(ctx, background, basis, parts, repositories, {
      solution,
      instructions,
      jobId: input.jobId ?? null,
      notes,
    });
  const first = dispatches[0]!;
  const output: HandoffOutput = {
    run_id: run.id,
    revision: (run.stages.handoff?.revision ?? 0) + 1,
    brief: whole.brief,
    branch: basis.branch,
    base_branch: whole.baseBranch,
    pr_title: basis.prTitle,
    pr_body: whole.prBody,
    draft: true,
    rules: basis.rules.map(({ content: _content, ...r }) => r),
    dispatch: { target: first.target, status: first.status, url: first.url },
    dispatches,
    size: whole.brief.length,
    truncated: whole.truncated,
    notes,
  };
  ctx.store().completeStage(run.id, "handoff", output);
  return output;
}

/**
 * One agent per part, in order, each with a brief scoped to its repository's steps, tests and rules that
 * names the other parts and their dispatches. Each dispatch is exactly-once on its own (run, target,
 * repository) record: after a crash between two parts, the first is found recorded and only the rest start.
 */
async function sendParts(
  ctx: StageContext,
  target: TargetConfig,
  basis: BriefBasis,
  parts: PlanPart[],
  repositories: string[],
  shared: { solution: SolutionOutput; instructions: string | null; jobId: string | null; notes: string[] },
): Promise<PartDispatch[]> {
  const { run } = basis;
  const ids = repositories.map((r) => dispatchIdFor(run.id, target.name, r));
  const queue = ctx.queue();
  const out: PartDispatch[] = [];
  for (const part of parts) {
    const i = part.index - 1;
    const view = partsView(
      parts,
      part.index,
      basis.branch,
      (p) => ids[p.index - 1] ?? null,
      (id) => (id ? (queue.dispatch(id)?.url ?? null) : null),
    );
    const brief = composeBrief(
      ctx,
      basis,
      { ...shared.solution, steps: part.steps, tests: part.tests },
      { repo: part.repo, rules: basis.rules.filter((r) => parts.length === 1 || r.repo === part.repo), view },
      shared.instructions,
    );
    const sent = await dispatchBrief(ctx, {
      target,
      runId: run.id,
      org: run.org,
      jobId: shared.jobId,
      request: {
        runId: run.id,
        shortId: basis.shortId,
        brief: brief.brief,
        prTitle: basis.prTitle,
        prBody: brief.prBody,
        branch: basis.branch,
        baseBranch: brief.baseBranch,
        repository: repositories[i]!,
        autoCreatePr: ctx.config.autoCreatePr,
      },
    });
    out.push({ repo: part.repo, target: target.name, status: sent.status, url: sent.url });
    if (sent.adopted)
      shared.notes.push(
        `The agent${parts.length > 1 ? ` for ${repositories[i]}` : ""} had already been started for this run; it was not started again.`,
      );
  }
  return out;
}

/** What a brief says about the fix's parts: all of them (chat), or one and its siblings' dispatches. */
function partsView(
  parts: PlanPart[],
  current: number | null,
  branch: string,
  dispatchOf: (p: PlanPart) => string | null,
  urlOf: (dispatchId: string | null) => string | null = () => null,
): PartsView {
  return {
    current,
    branch,
    parts: parts.map((p) => {
      const dispatchId = dispatchOf(p);
      return {
        index: p.index,
        repo: p.repo,
        steps: p.steps.map((s) => ({ id: s.id, title: s.title })),
        dispatchId,
        url: urlOf(dispatchId),
      };
    }),
  };
}

/** The run with a plan built on its latest root cause: proposed again first when missing or stale. */
async function currentPlan(
  ctx: StageContext,
  runId: string,
  notes: string[],
): Promise<{ run: RunRecord; rc: RootCauseOutput; solution: SolutionOutput }> {
  let run = requireRun(ctx, runId);
  const { output: rc } = latestRootCause(run);
  if (!run.stages.solution || run.stages.solution.status === "stale") {
    await proposeSolution(ctx, run.id);
    notes.push(
      run.stages.solution
        ? "The plan was stale (the root cause changed), so a fresh one was proposed."
        : "No plan existed, so one was proposed.",
    );
    run = requireRun(ctx, run.id);
  }
  const solution = storedOutput(run.id, "solution", run.stages.solution!.output);
  checkPlanPaths(run.id, rc, solution);
  return { run, rc, solution };
}

/** The GitHub repository a part goes to: a connected one the allowlist admits, never a name taken as is. */
function dispatchRepository(ctx: StageContext, run: RunRecord, rc: RootCauseOutput, part: PlanPart): string {
  // The brief and our GitHub token go to this repository: a pin, a stored candidate or an edited step may
  // name anything, so only a connected repository the allowlist admits is accepted.
  const name = part.repo ?? rc.candidates[0]?.repo;
  const repository = name
    ? githubSlug(connectedRepository(ctx.repos, ctx.config.allowedRepositories, name))
    : null;
  if (!repository) {
    throw configError(
      `run ${run.id} names no GitHub repository to hand off to${name ? ` (${name})` : ""}.`,
      'Background agents work on GitHub repositories: configure the repository with "github": "owner/name".',
    );
  }
  return repository;
}

/**
 * Every path the brief tells an agent to open or change stays inside its repository. Input is checked when
 * it arrives; this catches runs stored before that check, so an old pin of `../../etc/passwd` is refused too.
 */
function checkPlanPaths(runId: string, rc: RootCauseOutput, solution: SolutionOutput): void {
  // Only paths with a repository are repo-relative; without one, a path is what Sentry reported.
  const paths = [
    ...rc.candidates.filter((c) => c.repo).map((c) => c.path),
    ...solution.steps.filter((s) => s.repo).flatMap((s) => s.files),
  ];
  for (const path of paths) {
    if (!path) continue;
    try {
      safeRepoPath(path);
    } catch {
      throw inputError(
        `run ${runId} names a path outside its repository (${JSON.stringify(path.slice(0, 100))}).`,
        "Reject that candidate with add_feedback, or remove the step with edit_solution, then hand off again.",
      );
    }
  }
}
