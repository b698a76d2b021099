import { type ExceptionChain, exceptionChain, primaryStack } from "../analysis/exception-chain.ts";
import { analyzeTrace, type TraceAnalysis } from "../analysis/trace-walk.ts";
import { type FrameLocation, locateFrames } from "../code/frame-files.ts";
import type { StageContext } from "../context.ts";
import { NotFoundError } from "../errors.ts";
import type { EventSelector } from "../sentry/client.ts";
import { fetchProjectEvent } from "../sentry/events.ts";
import { TAG_KEYS } from "../sentry/issue-bundle.ts";
import { fetchLogsKeepingErrors, LOG_WINDOWS, type LogRow, logsAround } from "../sentry/logs.ts";
import { fetchTransactionProfile, type ProfileData } from "../sentry/profiles.ts";
import {
  type CommitRef,
  fetchRelease,
  fetchReleaseCommits,
  fetchSuspectCommits,
  type ReleaseDetails,
} from "../sentry/releases.ts";
import {
  fetchTrace,
  fetchTraceMeta,
  type Trace,
  type TraceIssueRef,
  type TraceMeta,
  traceExists,
} from "../sentry/traces.ts";
import type { Frame, Issue, SentryEvent, Stacktrace, TagDistribution } from "../sentry/types.ts";
import { CodeReader, type RepoState } from "./code-reader.ts";
import { connectProject, settleAmbiguousFrame } from "./questions.ts";

// The ranking (src/stages/root-cause/) and its tests take the reader from here, beside the signals it reads.
export { CodeReader, type RepoState };

/**
 * Every signal the root-cause stage reads, fetched in parallel waves so the critical path is two sequential
 * Sentry round trips when the issue stays in one service and three with a hop into another:
 *   1. the issue, its event and its tag distributions (org routes accept short IDs), plus code mappings
 *      (cached per organisation, like its region);
 *   2. what the event points at: release, release commits, suspect commits, the trace and its counts,
 *      the trace's logs, the linked profile — and the repositories behind the event's frames, with
 *      Sentry's stacktrace-link for frames they do not match. The trace's counts decide whether an empty
 *      trace is worth asking the legacy endpoint about, so an unsampled trace costs no third trip;
 *   3. errors other services recorded in the same trace (their events and their repositories).
 * Anything but the issue itself may fail; the failure is noted and the analysis goes on without it.
 */

export interface StackView {
  /** "main" for the analysed event, else the related event's ID. */
  id: string;
  project: string;
  event: SentryEvent;
  chain: ExceptionChain;
  stack: Stacktrace | null;
  /** One location per frame of `stack`, same order. */
  locations: FrameLocation[];
  /** Locations of every frame in the exception chain (wrapper and cause stacks too). */
  byFrame: Map<Frame, FrameLocation>;
}

interface RelatedError {
  ref: TraceIssueRef;
  view: StackView | null;
}

export interface Signals {
  org: string;
  issue: Issue;
  event: SentryEvent;
  selector: EventSelector;
  tags: TagDistribution[];
  release: ReleaseDetails | null;
  releaseCommits: CommitRef[];
  suspectCommits: CommitRef[] | null;
  traceMeta: TraceMeta | null;
  trace: Trace | null;
  traceAnalysis: TraceAnalysis | null;
  logs: LogRow[];
  profile: ProfileData | null;
  main: StackView;
  related: RelatedError[];
  repos: Map<string, RepoState>;
  /** Window start and end (ISO). */
  window: { start: string; end: string };
  problems: string[];
  notes: string[];
  code: CodeReader;
}

const WINDOW_DAYS = 21;
const MAX_RELATED = 3;

export async function gatherSignals(
  ctx: StageContext,
  input: { org: string; issue: string; selector: EventSelector },
): Promise<Signals> {
  const { sentry, signal } = ctx;
  const org = input.org;
  const g = gathering(ctx, org);
  await ctx.progress(0, 4, "reading the issue and its event");
  const [issue, event, tags] = await Promise.all([
    sentry.getIssue(org, input.issue, signal),
    sentry.getIssueEvent(org, input.issue, input.selector, signal),
    sentry
      .getIssueTags(org, input.issue, TAG_KEYS, signal)
      .catch(g.soft("tag distribution", [] as TagDistribution[])),
    ctx.repos.codeMappings(org, signal).catch(() => []),
  ]);
  // Before the frames are mapped: the repository a person named for this project, or asks for one.
  await connectProject(ctx, org, issue.project.slug, g.notes);
  await ctx.progress(1, 4, "reading the release, trace, logs, profile and code");

  const around = await readAround(g, issue, event);
  const { main, trace } = around;
  await settleAmbiguousFrame(ctx, main.stack?.frames ?? [], main.locations, g.notes);
  await ctx.progress(2, 4, "following the trace into other services");

  const traceAnalysis = trace
    ? analyzeTrace(trace, { eventId: event.id, spanId: event.trace?.spanId, project: issue.project.slug })
    : null;
  const related = await relatedErrors(g, traceAnalysis);
  await ctx.progress(3, 4, "reading code history");

  const window = regressionWindow(issue, event);
  const repos = new Map<string, RepoState>();
  const refs = [main, ...related.map((r) => r.view)].flatMap((v) =>
    v ? v.locations.map((l) => l.repo) : [],
  );
  const spanProjects = traceAnalysis?.services.map((s) => s.project) ?? [];
  await collectRepos(
    ctx,
    org,
    [...new Set(refs.filter((r): r is string => r !== null))],
    spanProjects,
    { main, related, event },
    window,
    repos,
    g.notes,
  );
  return {
    org,
    issue,
    event,
    selector: input.selector,
    tags,
    ...around,
    traceAnalysis,
    related,
    repos,
    window,
    problems: g.problems,
    notes: g.notes,
    code: new CodeReader(repos, ctx.logger, signal, g.problems),
  };
}

/** One gathering's context, and where what could not be read is written down. */
interface Gathering {
  ctx: StageContext;
  org: string;
  /** Upstream failures: the result says what is missing. */
  problems: string[];
  notes: string[];
  /** A catch handler that writes down what could not be read and goes on with `fallback`. */
  soft<T>(what: string, fallback: T): (error: unknown) => T;
}

function gathering(ctx: StageContext, org: string): Gathering {
  const problems: string[] = [];
  const notes: string[] = [];
  const soft =
    <T>(what: string, fallback: T) =>
    (error: unknown): T => {
      // Not found is an answer, not a failure: no trace stored (unsampled), no profile kept, no commits.
      if (error instanceof NotFoundError) {
        notes.push(`${what}: not available in Sentry`);
        return fallback;
      }
      ctx.logger.warn(`${what} unavailable`, { error });
      problems.push(`${what}: ${(error as Error).message}`);
      return fallback;
    };
  return { ctx, org, problems, notes, soft };
}

/** Everything around the event, read at once: release and its commits, the trace and its logs, the profile, the stack. */
async function readAround(g: Gathering, issue: Issue, event: SentryEvent) {
  const { ctx, org, soft } = g;
  const { sentry, signal } = ctx;
  const version = event.release?.version ?? null;
  const traceId = event.trace?.traceId ?? null;
  const meta = traceId ? fetchTraceMeta(sentry, org, traceId, { around: event.dateCreated }, signal) : null;
  // Rejections are handled where the promise is read; this only keeps an early one from going unobserved.
  meta?.catch(() => {});
  const [release, releaseCommits, suspectCommits, traceMeta, trace, logs, profile, main] = await Promise.all([
    version ? fetchRelease(sentry, org, version, signal).catch(soft("release", null)) : null,
    version
      ? fetchReleaseCommits(sentry, org, version, signal).catch(soft("release commits", [] as CommitRef[]))
      : [],
    fetchSuspectCommits(sentry, org, issue.project.slug, event.id, signal).catch(
      soft("suspect commits", null),
    ),
    meta ? meta.catch(soft("trace summary", null)) : null,
    traceId && meta
      ? fetchTrace(
          sentry,
          org,
          traceId,
          { errorId: event.id, around: event.dateCreated, exists: traceExists(meta) },
          signal,
        ).catch(soft("trace", null))
      : null,
    traceId ? traceLogs(ctx, org, traceId, event).catch(soft("logs", [] as LogRow[])) : [],
    event.profileId
      ? fetchTransactionProfile(sentry, org, issue.project.slug, event.profileId, signal).catch(
          soft("profile", null),
        )
      : null,
    stackView(ctx, org, "main", issue.project.slug, event, event.release, g.problems, g.notes),
  ]);
  return { release, releaseCommits, suspectCommits, traceMeta, trace, logs, profile, main };
}

/** The errors of other services in the same trace (a few), each with its own stack mapped to code. */
function relatedErrors(g: Gathering, traceAnalysis: TraceAnalysis | null): Promise<RelatedError[]> {
  const { ctx, org } = g;
  const others = (traceAnalysis?.errors ?? [])
    .filter((e) => e.otherProject && e.ref.eventId && e.ref.project)
    .slice(0, MAX_RELATED);
  return Promise.all(
    others.map(async ({ ref }): Promise<RelatedError> => {
      try {
        const relatedEvent = await fetchProjectEvent(ctx.sentry, org, ref.project!, ref.eventId!, ctx.signal);
        return {
          ref,
          view: await stackView(
            ctx,
            org,
            ref.eventId!,
            ref.project!,
            relatedEvent,
            relatedEvent.release,
            g.problems,
            g.notes,
          ),
        };
      } catch (error) {
        g.soft(`the ${ref.project} error in the trace`, null)(error);
        return { ref, view: null };
      }
    }),
  );
}

/** From three weeks before the issue was first seen to just after it. */
function regressionWindow(issue: Issue, event: SentryEvent): { start: string; end: string } {
  const first = Date.parse(issue.firstSeen ?? event.dateCreated ?? "") || Date.now();
  return {
    start: new Date(first - WINDOW_DAYS * 86_400_000).toISOString(),
    end: new Date(first + 3_600_000).toISOString(),
  };
}

async function traceLogs(
  ctx: StageContext,
  org: string,
  traceId: string,
  event: SentryEvent,
): Promise<LogRow[]> {
  const q = { query: `trace:${traceId}`, ...logsAround(event.dateCreated, LOG_WINDOWS.analysis) };
  const { rows } = await fetchLogsKeepingErrors(ctx.sentry, org, q, { eager: true, signal: ctx.signal });
  const seen = new Set<string>();
  return rows.filter((r) => !r.id || (!seen.has(r.id) && seen.add(r.id)));
}

async function stackView(
  ctx: StageContext,
  org: string,
  id: string,
  project: string,
  event: SentryEvent,
  release: SentryEvent["release"],
  problems: string[],
  notes: string[],
): Promise<StackView> {
  const chain = exceptionChain(event);
  const stack = primaryStack(event, chain);
  // Every frame of the chain is located, so wrapper and cause stacks can be read too.
  const frames = [
    ...new Set([stack, ...chain.links.map((l) => l.stacktrace)].filter((s): s is Stacktrace => s !== null)),
  ].flatMap((s) => s.frames);
  let locations: FrameLocation[] = [];
  if (frames.length > 0) {
    try {
      const located = await locateFrames(
        { repos: ctx.repos, sentry: ctx.sentry, logger: ctx.logger },
        {
          org,
          project,
          frames,
          release: release
            ? { version: release.version, commit: release.lastCommit?.id ?? release.ref ?? null }
            : null,
        },
        ctx.signal,
      );
      locations = located.frames;
      for (const n of located.notes) if (!notes.includes(n)) notes.push(n);
    } catch (error) {
      problems.push(`code for ${project}: ${(error as Error).message}`);
    }
  }
  const byFrame = new Map<Frame, FrameLocation>();
  frames.forEach((f, i) => {
    const location = locations[i];
    if (location) byFrame.set(f, location);
  });
  const unlocated = (i: number): FrameLocation => ({
    frame: i,
    repo: null,
    path: null,
    candidates: [],
    reason: "not located",
  });
  return {
    id,
    project,
    event,
    chain,
    stack,
    locations: (stack?.frames ?? []).map((f, i) => byFrame.get(f) ?? unlocated(i)),
    byFrame,
  };
}

async function collectRepos(
  ctx: StageContext,
  org: string,
  names: string[],
  spanProjects: string[],
  views: { main: StackView; related: RelatedError[]; event: SentryEvent },
  window: { start: string; end: string },
  repos: Map<string, RepoState>,
  notes: string[],
): Promise<void> {
  // Repositories of other services in the trace are needed too: a timeout's culprit can live in a service
  // that recorded no error at all.
  const extra = new Set<string>();
  for (const project of spanProjects) {
    if (project === views.main.project) continue;
    const { repositories } = await ctx.repos
      .forProject(org, project, ctx.signal)
      .catch(() => ({ repositories: [] }));
    for (const r of repositories) if (!names.includes(r.repo.name)) extra.add(r.repo.name);
  }
  if (names.length === 0) {
    const own = await ctx.repos
      .forProject(org, views.main.project, ctx.signal)
      .catch(() => ({ repositories: [] }));
    for (const r of own.repositories) extra.add(r.repo.name);
  }
  await Promise.all(
    [...names, ...extra].map(async (name) => {
      const repo = ctx.repos.byName(name);
      if (!repo) return;
      try {
        const release = views.event.release;
        const candidates = [release?.lastCommit?.id, release?.ref].filter((r): r is string => Boolean(r));
        let sha: string | null = null;
        let ref = "";
        for (const c of candidates) {
          sha = await repo.host.resolveRef(c, ctx.signal).catch(() => null);
          if (sha) {
            ref = c;
            break;
          }
        }
        const fromRelease = sha !== null;
        if (!sha) {
          ref = repo.defaultBranch ?? (await repo.host.defaultBranch(ctx.signal));
          sha = await repo.host.resolveRef(ref, ctx.signal);
        }
        const files = await repo.host.listFiles(sha ?? ref, ctx.signal);
        const log = await repo.host
          .log(".", { ref: sha ?? ref, since: window.start, limit: 80 }, ctx.signal)
          .catch(() => []);
        repos.set(name, {
          name,
          host: repo.host,
          ref: { repo: name, ref, sha, fromRelease },
          files,
          window: log.filter((c) => c.date <= window.end),
        });
      } catch (error) {
        notes.push(`${name} could not be read: ${(error as Error).message}`);
      }
    }),
  );
}
