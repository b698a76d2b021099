import type { StageContext } from "../context.ts";
import type { RootCauseOutput } from "../contract/root-cause.ts";
import type { SolutionOutput } from "../contract/solution.ts";
import { type BriefRule, branchName, prBody, renderBrief } from "../handoff/brief.ts";
import type { PartsView, PlanPart } from "../handoff/parts.ts";
import { applicableRules, loadRules } from "../rules/index.ts";
import type { Issue } from "../sentry/types.ts";
import type { RunRecord } from "../store/types.ts";
import { scrubText } from "../text/scrub.ts";

/**
 * The coding brief of a run, whole (the chat brief, which lists a multi-repository fix's parts) or for one
 * part (one repository's steps, tests and rules, naming the other parts). What every brief shares — the
 * issue, the branch, the PR title, the rules, each repository's base branch — is read once.
 */

export interface BriefBasis {
  run: RunRecord;
  rc: RootCauseOutput;
  shortId: string;
  issue: Issue | null;
  rules: BriefRule[];
  branch: string;
  prTitle: string;
  alsoFixes: string[];
  /** Each part's base branch, by repository name ("" for a part without one). */
  baseBranches: Map<string, string | null>;
}

export interface ComposedBrief {
  brief: string;
  truncated: string[];
  baseBranch: string | null;
  prBody: string;
  rules: BriefRule[];
}

export async function briefBasis(
  ctx: StageContext,
  run: RunRecord,
  rc: RootCauseOutput,
  solution: SolutionOutput,
  parts: PlanPart[],
  notes: string[],
): Promise<BriefBasis> {
  const shortId = run.issue.shortId ?? run.issue.id;
  // The issue's link and counts only garnish the brief: read them beside the rules and base branches, so a
  // slow Sentry costs the call no more than its deadline and the rules still arrive.
  const issueNoteAt = notes.length;
  const [issue, rules, bases] = await Promise.all([
    ctx.sentry.getIssue(run.org, run.issue.id, ctx.signal).catch((error) => {
      ctx.logger.warn("issue details unavailable for the brief", { error });
      return null;
    }),
    rulesFor(ctx, solution, notes),
    Promise.all(parts.map(async (p) => [p.repo ?? "", await baseBranchOf(ctx, p.repo)] as const)),
  ]);
  if (!issue) notes.splice(issueNoteAt, 0, "Issue link and counts were unavailable from Sentry.");
  const top = rc.candidates[0];
  const exception = run.evidence.find((e) => e.id.startsWith("exception:main:"))?.data as
    | { type?: string | null }
    | undefined;
  return {
    run,
    rc,
    shortId,
    issue,
    rules,
    branch: branchName(shortId, top?.function ?? run.issue.title, run.id),
    prTitle: pullRequestTitle(shortId, top?.function ?? null, exception?.type ?? null),
    // When the fix lands in another service, its own Sentry issue is resolved by the same PR.
    alsoFixes:
      top?.source === "other_service"
        ? rc.related_issues.map((r) => r.short_id).filter((s): s is string => Boolean(s))
        : [],
    baseBranches: new Map(bases),
  };
}

async function baseBranchOf(ctx: StageContext, name: string | null): Promise<string | null> {
  const repo = name ? ctx.repos.byName(name) : undefined;
  if (!repo) return null;
  return repo.defaultBranch ?? (await repo.host.defaultBranch(ctx.signal).catch(() => null));
}

/**
 * The brief and PR body for `plan` (the whole plan, or one part's steps and tests) with `rules`, scrubbed:
 * they leave the server (an agent, a GitHub issue, a webhook).
 */
export function composeBrief(
  ctx: StageContext,
  basis: BriefBasis,
  plan: SolutionOutput,
  part: { repo: string | null; rules: BriefRule[]; view: PartsView | null },
  instructions: string | null,
): ComposedBrief {
  const { run, issue } = basis;
  const baseBranch = basis.baseBranches.get(part.repo ?? "") ?? null;
  const body = scrubText(
    prBody({
      shortId: basis.shortId,
      alsoFixes: basis.alsoFixes,
      summary: basis.rc.summary,
      steps: plan.steps,
      tests: plan.tests,
      permalink: issue?.permalink ?? null,
      runId: run.id,
    }),
    { secrets: ctx.secrets },
  );
  const rendered = renderBrief({
    runId: run.id,
    shortId: basis.shortId,
    title: run.issue.title,
    permalink: issue?.permalink ?? null,
    counts: {
      events: issue?.count ?? null,
      users: issue?.userCount ?? null,
      firstSeen: issue?.firstSeen ?? null,
      lastSeen: issue?.lastSeen ?? null,
      release: issue?.firstRelease?.version ?? null,
    },
    rootCause: basis.rc,
    solution: plan,
    evidence: run.evidence,
    rules: part.rules,
    branch: basis.branch,
    baseBranch,
    prTitle: basis.prTitle,
    prBody: body,
    codeGeneration: ctx.config.codeGeneration,
    instructions,
    parts: part.view,
  });
  const brief = scrubText(rendered.brief, { secrets: ctx.secrets });
  return { brief, truncated: rendered.truncated, baseBranch, prBody: body, rules: part.rules };
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

/** The rules files that apply to the planned files, per repository. A repository that cannot be read is noted. */
async function rulesFor(ctx: StageContext, solution: SolutionOutput, notes: string[]): Promise<BriefRule[]> {
  const byRepo = new Map<string, string[]>();
  const add = (repo: string | null | undefined, files: string[]) => {
    if (repo && files.length > 0) byRepo.set(repo, [...new Set([...(byRepo.get(repo) ?? []), ...files])]);
  };
  for (const step of solution.steps) add(step.repo, step.files);
  const first = solution.steps.find((s) => s.repo)?.repo;
  for (const t of solution.tests) if (t.file) add(t.repo ?? first, [t.file]);
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
