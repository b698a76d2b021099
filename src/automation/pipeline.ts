import { type Context, type StageContext, unwatchedStage } from "../context.ts";
import type { RootCauseOutput } from "../contract/root-cause.ts";
import { storedOutput } from "../contract/stored.ts";
import { checkAgentState } from "../handoff/agent-urls.ts";
import { routeTarget } from "../handoff/dispatch.ts";
import { createDispatcher, targetKind } from "../handoff/targets.ts";
import { asAnalysis } from "../sentry/concurrency.ts";
import { commentOnIssue } from "../sentry/events.ts";
import { handOff } from "../stages/handoff.ts";
import { runRootCause } from "../stages/root-cause/index.ts";
import { proposeSolution } from "../stages/solution/index.ts";
import type { Job, JobQueue, JobStep } from "../store/queue.ts";
import { actionable, confidentEnough } from "./gate.ts";

/**
 * One job, step by step: gate → root cause → solution → dispatch → track. Each step is idempotent given
 * what is already stored (a run reused by ID, a plan reused unless stale, a dispatch recorded before the
 * upstream call), so a crash at any point resumes without doing anything twice. Returns how the job moved.
 */

type StepOutcome =
  | { kind: "advanced" }
  | { kind: "finished"; state: "done" | "skipped"; reason: string }
  | { kind: "later"; delayMs: number; reason: string | null };

const TRACK_INTERVAL_MS = 30_000;
const TRACK_TIMEOUT_MS = 24 * 3600_000;

/** What every step works with: the job, the lease it holds, and the stage context no client watches. */
interface StepInput {
  ctx: Context;
  job: Job;
  owner: string;
  signal: AbortSignal;
  queue: JobQueue;
  call: StageContext;
}

export async function runStep(
  ctx: Context,
  job: Job,
  owner: string,
  signal: AbortSignal,
): Promise<StepOutcome> {
  const call = unwatchedStage(ctx, signal, ctx.logger.child({ component: "worker" }));
  const input: StepInput = { ctx, job, owner, signal, queue: ctx.queue(), call };
  if (job.step === "done") return { kind: "finished", state: "done", reason: job.reason ?? "done" };
  return STEPS[job.step](input);
}

const STEPS: Record<Exclude<JobStep, "done">, (input: StepInput) => Promise<StepOutcome>> = {
  gate,
  root_cause: rootCause,
  solution,
  dispatch,
  track: ({ ctx, job, queue, signal }: StepInput) => track(ctx, job, queue, signal),
};

async function gate({ ctx, job, owner, signal, queue }: StepInput): Promise<StepOutcome> {
  const issue = await ctx.sentry.getIssue(job.org, job.issueId, signal);
  const gate = actionable(issue, ctx.config.automation.actionability, ctx.clock.now());
  if (!gate.ok) return { kind: "finished", state: "skipped", reason: `not actionable: ${gate.reason}` };
  queue.advance(job.id, owner, "root_cause");
  return { kind: "advanced" };
}

async function rootCause({ ctx, job, owner, signal, queue, call }: StepInput): Promise<StepOutcome> {
  const store = ctx.store();
  let runId = job.runId;
  if (!runId) {
    // The run is created and attached to the job in one transaction: a retry after a crash reuses it.
    const issue = await ctx.sentry.getIssue(job.org, job.issueId, signal);
    runId = store.atomically(() => {
      const run = store.createRun({
        org: job.org,
        issue: { id: issue.id, shortId: issue.shortId, title: issue.title, project: issue.project.slug },
      });
      if (!queue.advance(job.id, owner, "root_cause", run.id)) throw new Error("lease lost");
      return run.id;
    });
  }
  const run = store.getRun(runId);
  const stored = run?.stages.root_cause?.output;
  let output = stored === undefined ? undefined : storedOutput(runId, "root_cause", stored);
  if (!output)
    output = (
      await ctx.analyses.run(signal, () =>
        asAnalysis(() => runRootCause(call, { issue: job.issueId, organization: job.org }, runId)),
      )
    ).output;
  const issue = await ctx.sentry.getIssue(job.org, job.issueId, signal);
  if (issue.fixabilityScore === null) {
    const gate = confidentEnough(output.confidence, ctx.config.automation.actionability);
    if (!gate.ok) return { kind: "finished", state: "skipped", reason: `not actionable: ${gate.reason}` };
  }
  if (output.verdict !== "in_app")
    return {
      kind: "finished",
      state: "skipped",
      reason: `root cause verdict is ${output.verdict}: nothing to hand to a coding agent`,
    };
  queue.advance(job.id, owner, "solution");
  return { kind: "advanced" };
}

async function solution({ ctx, job, owner, queue, call }: StepInput): Promise<StepOutcome> {
  const run = ctx.store().getRun(job.runId!)!;
  if (!run.stages.solution || run.stages.solution.status === "stale") await proposeSolution(call, run.id);
  queue.advance(job.id, owner, "dispatch");
  return { kind: "advanced" };
}

async function dispatch({ ctx, job, owner, signal, queue, call }: StepInput): Promise<StepOutcome> {
  const run = ctx.store().getRun(job.runId!)!;
  const rc = storedOutput(run.id, "root_cause", run.stages.root_cause!.output);
  const repo = rc.candidates[0]?.repo ?? null;
  const target = routeTarget(
    ctx,
    run.issue.project ?? "",
    repo ? (ctx.repos.byName(repo)?.github ?? repo) : null,
  );
  if (!ctx.config.codeGeneration || !target) {
    await handOff(call, { runId: run.id, target: "chat", jobId: job.id });
    const why = !ctx.config.codeGeneration
      ? "code generation is disabled"
      : `no handoff target is configured for project ${run.issue.project}`;
    return { kind: "finished", state: "done", reason: `${why}; the brief is stored with the run` };
  }
  if (!queue.takeDispatchSlot(job.org, run.id, ctx.config.automation.perOrgPerHour)) {
    return {
      kind: "later",
      delayMs: 10 * 60_000,
      reason: `rate limited: ${ctx.config.automation.perOrgPerHour} dispatches per hour for ${job.org}`,
    };
  }
  const out = await handOff(call, { runId: run.id, target: target.name, jobId: job.id });
  const urls = (out.dispatches ?? [out.dispatch]).map((d) => d.url).filter((u): u is string => Boolean(u));
  if (ctx.config.handoff.postSentryComment) await postComment(ctx, job, rc, urls, signal);
  queue.advance(job.id, owner, "track");
  return { kind: "advanced" };
}

async function track(ctx: Context, job: Job, queue: JobQueue, signal: AbortSignal): Promise<StepOutcome> {
  const dispatches = queue.dispatchesOf(job.runId!);
  const open = dispatches.filter((d) => d.status !== "completed" && d.status !== "failed");
  for (const d of open) {
    const target = ctx.config.handoff.targets.find((t) => t.name === d.target);
    if (!target || !d.externalId || !d.repository || !targetKind(target.type).polled) continue;
    const dispatcher = createDispatcher(target, { logger: ctx.logger, now: () => ctx.clock.now() });
    const run = ctx.store().getRun(job.runId!)!;
    const state = await dispatcher
      .status(
        d.externalId,
        {
          dispatchId: d.id,
          runId: run.id,
          shortId: run.issue.shortId ?? run.issue.id,
          brief: "",
          prTitle: "",
          prBody: "",
          branch: "",
          baseBranch: null,
          repository: d.repository,
          autoCreatePr: ctx.config.autoCreatePr,
          callbackUrl: null,
        },
        signal,
      )
      .catch((error: unknown) => {
        ctx.logger.warn("agent status unavailable", { dispatch: d.id, error });
        return null;
      });
    if (state) {
      const { state: checked } = checkAgentState(state, {
        repository: d.repository,
        githubApiUrl: ctx.config.github.apiUrl,
      });
      queue.updateDispatch(d.id, {
        status: checked.status,
        url: checked.url,
        prUrl: checked.prUrl,
        summary: checked.summary,
      });
    }
  }
  const after = queue.dispatchesOf(job.runId!);
  if (after.every((d) => d.status === "completed" || d.status === "failed")) {
    const summary = after
      .map(
        (d) =>
          `${d.target}${after.length > 1 ? ` → ${d.repository}` : ""}: ${d.status}${d.prUrl ? ` (${d.prUrl})` : ""}`,
      )
      .join("; ");
    return { kind: "finished", state: "done", reason: summary || "nothing dispatched" };
  }
  const oldest = Math.min(...after.map((d) => Date.parse(d.createdAt)));
  if (ctx.clock.now() - oldest > TRACK_TIMEOUT_MS)
    return { kind: "finished", state: "done", reason: "the agent did not report back within 24 hours" };
  return { kind: "later", delayMs: TRACK_INTERVAL_MS, reason: null };
}

async function postComment(
  ctx: Context,
  job: Job,
  rc: RootCauseOutput,
  urls: string[],
  signal: AbortSignal,
): Promise<void> {
  const working =
    urls.length > 1
      ? `Coding agents are working on it, one per repository: ${urls.join(" ")}`
      : urls[0]
        ? `A coding agent is working on it: ${urls[0]}`
        : null;
  const text = [`autofix-mcp: ${rc.summary}`, working].filter(Boolean).join("\n\n");
  await commentOnIssue(ctx.sentry, job.org, job.issueId, text, signal).catch((error) => {
    ctx.logger.warn("could not comment on the Sentry issue", { error });
  });
}
