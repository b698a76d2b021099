import { connectedRepository, githubSlug } from "../code/connected.ts";
import { safeRepoPath } from "../code/paths.ts";
import type { StageContext } from "../context.ts";
import type { HandoffOutput } from "../contract/handoff.ts";
import type { RootCauseOutput } from "../contract/root-cause.ts";
import type { SolutionOutput } from "../contract/solution.ts";
import { storedOutput } from "../contract/stored.ts";
import { configError, inputError } from "../errors.ts";
import { type BriefRule, branchName, prBody, renderBrief } from "../handoff/brief.ts";
import { dispatchBrief, resolveTarget } from "../handoff/dispatch.ts";
import type { TargetConfig } from "../handoff/types.ts";
import { applicableRules, loadRules } from "../rules/index.ts";
import type { RunRecord } from "../store/types.ts";
import { scrubText } from "../text/scrub.ts";
import { latestRootCause, proposeSolution, requireRun } from "./solution/index.ts";

/**
 * The handoff stage: the coding brief built from the run's root cause, its (edited) plan, the rules that
 * apply to the planned files, and PR conventions. For the chat target the agent in the conversation takes
 * it from here; background targets dispatch it (they arrive with the background-handoff work).
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
  const brief = await composeBrief(ctx, run, rc, solution, input.instructions, notes);
  const codeGeneration = ctx.config.codeGeneration;
  if (!codeGeneration)
    notes.push(
      "Code generation is disabled (codeGeneration: false): the brief is a report; no coding agent was asked to change code.",
    );
  let dispatch: HandoffOutput["dispatch"] = {
    target,
    status: codeGeneration ? "ready" : "disabled",
    url: null,
  };
  if (background && codeGeneration) {
    const sent = await sendBrief(ctx, background, run, rc, brief, input.jobId ?? null);
    dispatch = { target, status: sent.status, url: sent.url };
    if (sent.adopted)
      notes.push("The agent had already been started for this run; it was not started again.");
  }
  const output: HandoffOutput = {
    run_id: run.id,
    revision: (run.stages.handoff?.revision ?? 0) + 1,
    brief: brief.brief,
    branch: brief.branch,
    base_branch: brief.baseBranch,
    pr_title: brief.prTitle,
    pr_body: brief.prBody,
    draft: true,
    rules: brief.rules.map(({ content: _content, ...r }) => r),
    dispatch,
    size: brief.brief.length,
    truncated: brief.truncated,
    notes,
  };
  ctx.store().completeStage(run.id, "handoff", output);
  return output;
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

interface ComposedBrief {
  brief: string;
  truncated: string[];
  branch: string;
  baseBranch: string | null;
  prTitle: string;
  prBody: string;
  rules: BriefRule[];
}

/** The brief and the PR conventions (branch, title, body), scrubbed: they leave the server. */
async function composeBrief(
  ctx: StageContext,
  run: RunRecord,
  rc: RootCauseOutput,
  solution: SolutionOutput,
  instructions: string | undefined,
  notes: string[],
): Promise<ComposedBrief> {
  const shortId = run.issue.shortId ?? run.issue.id;
  // The issue's link and counts only garnish the brief: read them beside the rules, so a slow Sentry
  // costs the call no more than its deadline and the rules still arrive.
  const issueNoteAt = notes.length;
  const [issue, rules] = await Promise.all([
    ctx.sentry.getIssue(run.org, run.issue.id, ctx.signal).catch((error) => {
      ctx.logger.warn("issue details unavailable for the brief", { error });
      return null;
    }),
    rulesFor(ctx, solution, notes),
  ]);
  if (!issue) notes.splice(issueNoteAt, 0, "Issue link and counts were unavailable from Sentry.");
  const top = rc.candidates[0];
  const repo = top?.repo ? ctx.repos.byName(top.repo) : undefined;
  const baseBranch = repo
    ? (repo.defaultBranch ?? (await repo.host.defaultBranch(ctx.signal).catch(() => null)))
    : null;
  const branch = branchName(shortId, top?.function ?? run.issue.title, run.id);
  const exception = run.evidence.find((e) => e.id.startsWith("exception:main:"))?.data as
    | { type?: string | null }
    | undefined;
  const prTitle = pullRequestTitle(shortId, top?.function ?? null, exception?.type ?? null);
  // When the fix lands in another service, its own Sentry issue is resolved by the same PR.
  const alsoFixes =
    top?.source === "other_service"
      ? rc.related_issues.map((r) => r.short_id).filter((s): s is string => Boolean(s))
      : [];
  const body = scrubText(
    prBody({
      shortId,
      alsoFixes,
      summary: rc.summary,
      steps: solution.steps,
      tests: solution.tests,
      permalink: issue?.permalink ?? null,
      runId: run.id,
    }),
    { secrets: ctx.secrets },
  );
  const rendered = renderBrief({
    runId: run.id,
    shortId,
    title: run.issue.title,
    permalink: issue?.permalink ?? null,
    counts: {
      events: issue?.count ?? null,
      users: issue?.userCount ?? null,
      firstSeen: issue?.firstSeen ?? null,
      lastSeen: issue?.lastSeen ?? null,
      release: issue?.firstRelease?.version ?? null,
    },
    rootCause: rc,
    solution,
    evidence: run.evidence,
    rules,
    branch,
    baseBranch,
    prTitle,
    prBody: body,
    codeGeneration: ctx.config.codeGeneration,
    instructions: instructions?.trim() || null,
  });
  // The brief leaves the server (an agent, a GitHub issue, a webhook): scrubbed before it is stored or sent.
  const brief = scrubText(rendered.brief, { secrets: ctx.secrets });
  return { brief, truncated: rendered.truncated, branch, baseBranch, prTitle, prBody: body, rules };
}

/** Dispatches the brief to a background agent, on the GitHub repository of the top candidate. */
async function sendBrief(
  ctx: StageContext,
  target: TargetConfig,
  run: RunRecord,
  rc: RootCauseOutput,
  brief: ComposedBrief,
  jobId: string | null,
) {
  // The brief and our GitHub token go to this repository: a connected one the allowlist admits, never a
  // name taken from the run as it stands (a pin or a stored candidate may name anything).
  const top = rc.candidates[0];
  const repository = top?.repo
    ? githubSlug(connectedRepository(ctx.repos, ctx.config.allowedRepositories, top.repo))
    : null;
  if (!repository) {
    throw configError(
      `run ${run.id} names no GitHub repository to hand off to.`,
      'Background agents work on GitHub repositories: configure the repository with "github": "owner/name".',
    );
  }
  return dispatchBrief(ctx, {
    target,
    runId: run.id,
    org: run.org,
    jobId,
    request: {
      runId: run.id,
      shortId: run.issue.shortId ?? run.issue.id,
      brief: brief.brief,
      prTitle: brief.prTitle,
      prBody: brief.prBody,
      branch: brief.branch,
      baseBranch: brief.baseBranch,
      repository,
      autoCreatePr: ctx.config.autoCreatePr,
    },
  });
}

/**
 * The PR title, from parts that cannot carry prose: the short ID, the culprit function and the exception
 * type, each cut to identifier characters. The issue title is whatever an event sender wrote, so it stays
 * out (it is quoted as data in the brief).
 */
function pullRequestTitle(shortId: string, fn: string | null, exceptionType: string | null): string {
  const word = (s: string | null, max: number) =>
    (s ?? "")
      .replace(/[^\w.$:<>[\]-]+/g, "")
      .slice(0, max)
      .replace(/^[^\w$<[]+|[^\w$>\]]+$/g, "");
  const id = word(shortId, 40) || "issue";
  const what = [word(exceptionType, 60), word(fn, 60)].filter(Boolean);
  return `Fix ${id}${what.length === 2 ? `: ${what[0]} in ${what[1]}` : what.length === 1 ? `: ${what[0]}` : ""}`;
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

/** The rules files that apply to the planned files, per repository. A repository that cannot be read is noted. */
async function rulesFor(ctx: StageContext, solution: SolutionOutput, notes: string[]): Promise<BriefRule[]> {
  const byRepo = new Map<string, string[]>();
  for (const step of solution.steps) {
    if (!step.repo || step.files.length === 0) continue;
    byRepo.set(step.repo, [...new Set([...(byRepo.get(step.repo) ?? []), ...step.files])]);
  }
  for (const t of solution.tests) {
    const repo = solution.steps.find((s) => s.repo)?.repo;
    if (repo && t.file) byRepo.set(repo, [...new Set([...(byRepo.get(repo) ?? []), t.file])]);
  }
  const out: BriefRule[] = [];
  for (const [name, files] of byRepo) {
    const repo = ctx.repos.byName(name);
    if (!repo) continue;
    try {
      const ref =
        repo.host.kind === "github"
          ? (repo.defaultBranch ?? (await repo.host.defaultBranch(ctx.signal)))
          : undefined;
      const set = await loadRules(repo.host, ref, ctx.signal);
      for (const r of applicableRules(set, files)) {
        out.push({
          repo: name,
          tool: r.tool,
          file: r.file,
          activation: r.activation,
          reason: r.reason,
          paths: r.paths,
          content: r.content,
        });
      }
    } catch (error) {
      notes.push(`Rules of ${name} could not be read: ${(error as Error).message}`);
    }
  }
  return out;
}
