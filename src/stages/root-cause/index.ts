import { connectedRepository } from "../../code/connected.ts";
import { safeRepoPath } from "../../code/paths.ts";
import { AwaitingAnswer, type StageContext } from "../../context.ts";
import type { RootCauseOutput } from "../../contract/root-cause.ts";
import { storedOutput } from "../../contract/stored.ts";
import { inputError } from "../../errors.ts";
import { resolveRef } from "../../sentry/issue-ref.ts";
import type { RunRecord } from "../../store/types.ts";
import { scrubDeep, scrubText } from "../../text/scrub.ts";
import { gatherSignals, type Signals } from "../gather.ts";
import { oneQuestion } from "../questions.ts";
import { analyzeSignals, type RootCause } from "./analyze.ts";
import { applyFeedback, type Feedback, feedbackKind } from "./feedback.ts";
import { askWhatChanged, whatChangedHint } from "./what-changed.ts";

/**
 * The root-cause stage: gather → candidates → rank → explain → store.
 * - gather (`../gather.ts`): Sentry's issue, event, trace, logs, profile and releases, and the repositories;
 * - candidates: the stack's frames and what reading their lines says (`stack.ts`, `test-subject.ts`), code
 *   behind spans and profiles (`spans.ts`, `list-query.ts`), one call outside the stack (`one-hop.ts`);
 * - rank (`analyze.ts`, with the switchable signals in `rank.ts`): history (`history.ts`) re-ranks, test
 *   code goes last, and the verdict abstains where the evidence is not in the application;
 * - explain (`narrative.ts`): the causal chain and summary, every step citing evidence.
 * The run is written only once the analysis is complete, in one transaction with its evidence, so nothing
 * half-done ever looks finished; a failure after the issue is known is recorded on a run too. Feedback
 * (`feedback.ts`) produces the next revision and marks later stages stale.
 */

export async function runRootCause(
  ctx: StageContext,
  input: {
    issue: string;
    event?: string | undefined;
    organization?: string | undefined;
    context?: string | undefined;
  },
  /** Continue a run created earlier (the background worker creates it first, so a retry reuses it). */
  existingRunId?: string,
): Promise<{ run: RunRecord; output: RootCauseOutput }> {
  ctx = oneQuestion(ctx);
  const { org, ref, selector } = await resolveRef(ctx.sentry, input, ctx.signal);
  const signals = await gatherSignals(ctx, { org, issue: ref.id, selector });
  const store = ctx.store();
  // The run is made once every question is behind us: on a 2026-07-28 client a question ends this call and
  // the retry runs the stage again (StageContext.ask), which must not leave a run behind each time.
  let run = existingRunId ? store.getRun(existingRunId) : null;
  const theRun = (): RunRecord =>
    (run ??= store.createRun({
      org,
      issue: {
        id: signals.issue.id,
        shortId: signals.issue.shortId,
        title: signals.issue.title,
        project: signals.issue.project.slug,
      },
    }));
  try {
    const { result, evidence } = await analyzeSignals(signals);
    // Nothing told yet: when the evidence is thin, what the person knows of recent changes moves it most.
    const changed = input.context?.trim() ? null : await askWhatChanged(ctx, result, signals.issue.shortId);
    const runId = theRun().id;
    let output = outputOf(runId, signals, result, evidence.length, [
      ...(changed?.notes ?? []),
      ...(changed?.unasked ? [whatChangedHint(runId)] : []),
    ]);
    const told = input.context?.trim()
      ? { kind: "context", message: scrubText(input.context, { secrets: ctx.secrets }) }
      : changed?.message
        ? { kind: "message", message: changed.message }
        : null;
    if (told) {
      const fb = store.addFeedback(runId, told.kind, { message: told.message });
      const applied = applyFeedback(output, { message: told.message }, fb.seq);
      output = { ...applied.output, revision: 1 };
      evidence.push(applied.evidence);
    }
    await ctx.progress(4, 4, "root cause ready");
    // Stored scrubbed: the run database is a copy of Sentry data at rest, and outlives the tool call.
    const scrub = <T>(value: T): T => scrubDeep(value, { secrets: ctx.secrets });
    store.completeStage(runId, "root_cause", scrub(output), scrub(evidence));
    return { run: store.getRun(runId)!, output };
  } catch (error) {
    if (error instanceof AwaitingAnswer) throw error;
    store.failRun(theRun().id, (error as Error).message);
    throw error;
  }
}

/** The stage's output contract from the ranking: only the fields the contract names, in its order. */
function outputOf(
  runId: string,
  signals: Signals,
  result: RootCause,
  evidenceCount: number,
  moreNotes: string[],
): RootCauseOutput {
  return {
    run_id: runId,
    revision: 1,
    issue: { id: signals.issue.id, short_id: signals.issue.shortId, title: signals.issue.title },
    ...result,
    notes: [...result.notes, ...signals.problems.map((p) => `Unavailable: ${p}`), ...moreNotes],
    candidates: result.candidates.map(
      ({ repo, path, line, function: fn, score, reasons, evidence, source }) => ({
        repo,
        path,
        line,
        function: fn,
        score,
        reasons,
        evidence,
        source,
      }),
    ),
    suspect_commits: result.suspect_commits.map(({ sha, subject, author, date, path, score }) => ({
      sha,
      subject,
      author,
      date,
      path,
      score,
    })),
    rejected: [],
    evidence_count: evidenceCount,
  };
}

export function addRootCauseFeedback(
  ctx: StageContext,
  runId: string,
  given: Feedback,
): { run: RunRecord; output: RootCauseOutput; stale: string[] } {
  const feedback = checkPin(ctx, given);
  const store = ctx.store();
  const run = store.getRun(runId);
  if (!run)
    throw inputError(
      `run ${runId} does not exist.`,
      "get_run without arguments lists recent runs; analyze_root_cause starts one.",
    );
  const stored = run.stages.root_cause?.output;
  const current = stored === undefined ? undefined : storedOutput(runId, "root_cause", stored);
  if (!current)
    throw inputError(
      `run ${runId} has no root cause yet${run.error ? ` (${run.error})` : ""}.`,
      "Run analyze_root_cause on the issue again.",
    );
  // Validate before anything is stored: feedback naming a missing candidate must leave no trace.
  applyFeedback(current, feedback, 0);
  const clean = scrubDeep(feedback, { secrets: ctx.secrets });
  const record = store.addFeedback(runId, feedbackKind(clean), clean);
  const { output, evidence } = applyFeedback(current, clean, record.seq);
  store.completeStage(runId, "root_cause", output, [...run.evidence, evidence]);
  const stale: string[] = [];
  for (const stage of ["solution", "handoff"] as const) {
    if (run.stages[stage]) {
      store.markStale(runId, stage);
      stale.push(stage);
    }
  }
  return { run: store.getRun(runId)!, output, stale };
}

/**
 * A pin becomes the first candidate, plan step 1 and the repository hand_off dispatches to, so it may name
 * only a connected repository and a path inside it; the repository is stored under its configured name.
 */
function checkPin(ctx: StageContext, f: Feedback): Feedback {
  const out = { ...f };
  if (f.repo !== undefined && f.repo.trim() !== "")
    out.repo = connectedRepository(ctx.repos, ctx.config.allowedRepositories, f.repo).name;
  else delete out.repo;
  if (f.path !== undefined && f.path.trim() !== "") out.path = safeRepoPath(f.path);
  return out;
}
