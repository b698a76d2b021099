import {
  culpritFrame,
  type ExceptionChain,
  inAppFramesNearestThrow,
  inAppStack,
} from "../analysis/exception-chain.ts";
import type { IssueStructured, StructuredFrame } from "../contract/issue.ts";
import type { CommitRef, ReleaseDetails } from "../sentry/releases.ts";
import type { TraceMeta } from "../sentry/traces.ts";
import type { Frame, Issue, SentryEvent, TagDistribution } from "../sentry/types.ts";
import { truncate } from "../text/clip.ts";
import { scrubUrl } from "../text/scrub.ts";
import { breadcrumbText } from "./event-sections.ts";

/** get_issue's input to its renderers, its size limits, and its structured result (the markdown is issue.ts). */

export type Detail = "brief" | "full";

export interface IssueViewInput {
  issue: Issue;
  release?: ReleaseDetails | null;
  /** null: Sentry could not be asked; []: it has none. */
  suspectCommits?: CommitRef[] | null;
  traceMeta?: TraceMeta | null;
  /** Enrichments that failed. */
  problems?: string[];
  event: SentryEvent | null;
  /** Why there is no event, when there is none. */
  eventProblem?: string | null;
  eventSelector: string;
  tags: TagDistribution[];
  detail: Detail;
  now: number;
  /** Tool names this server offers, so "next" only suggests calls that exist. */
  tools: ReadonlySet<string>;
}

/** How much of the event each detail level shows. */
export const LIMITS = {
  brief: { frames: 6, contextFrames: 2, contextLines: 4, crumbs: 10, chainStacks: false, spans: 5 },
  full: { frames: 60, contextFrames: 8, contextLines: 7, crumbs: 100, chainStacks: true, spans: 30 },
} as const;

export function structuredIssue(
  input: IssueViewInput,
  chain: ExceptionChain | null,
  kind: string,
): IssueStructured {
  const { issue, event } = input;
  const culprit = event && chain ? culpritFrame(event, chain) : null;
  const stack = event && chain ? inAppStack(event, chain).stack : null;
  const crumbs = event?.breadcrumbs.slice(-LIMITS[input.detail].crumbs) ?? [];
  return {
    issue: issueFields(issue, kind),
    event: event ? eventFields(event, input.eventSelector) : null,
    exception_chain: chainFields(chain),
    culprit_frame: culprit ? structuredFrame(culprit.frame) : null,
    frames: inAppFramesNearestThrow(stack, LIMITS[input.detail].frames).map((r) => structuredFrame(r.frame)),
    breadcrumbs: crumbs.map((b) => ({
      timestamp: b.timestamp,
      category: b.category ?? b.type,
      level: b.level,
      message: truncate(breadcrumbText(b), 300),
    })),
    request: event?.request
      ? { method: event.request.method, url: event.request.url ? scrubUrl(event.request.url) : null }
      : null,
    tags: input.tags.map((t) => ({
      key: t.key,
      values: t.topValues.slice(0, 5).map((v) => ({ value: v.value, count: v.count })),
    })),
    processing_errors: (event?.errors ?? []).map((e) => ({ type: e.type, message: e.message })),
    evidence: (event?.occurrence?.evidenceDisplay ?? []).map((d) => ({
      name: d.name,
      value: truncate(d.value, 500),
    })),
    ...releaseFields(input),
    trace_summary: input.traceMeta
      ? {
          errors: input.traceMeta.errors,
          performance_issues: input.traceMeta.performanceIssues,
          spans: input.traceMeta.spans,
          logs: input.traceMeta.logs,
        }
      : null,
    source_maps_missing: (event?.errors ?? []).some((e) => /^js_|sourcemap|source_map/i.test(e.type)),
    unavailable: input.problems ?? [],
  };
}

function issueFields(issue: Issue, kind: string): IssueStructured["issue"] {
  return {
    id: issue.id,
    short_id: issue.shortId,
    title: issue.title,
    project: issue.project.slug,
    kind,
    level: issue.level,
    status: issue.status,
    substatus: issue.substatus,
    culprit: issue.culprit,
    count: issue.count,
    user_count: issue.userCount,
    first_seen: issue.firstSeen,
    last_seen: issue.lastSeen,
    first_release: issue.firstRelease?.version ?? null,
    permalink: issue.permalink,
    fixability_score: issue.fixabilityScore,
  };
}

function eventFields(event: SentryEvent, selector: string): IssueStructured["event"] {
  return {
    id: event.id,
    selector: selector,
    type: event.type,
    date: event.dateCreated,
    environment: event.environment,
    release: event.release?.version ?? null,
    platform: event.platform,
    trace_id: event.trace?.traceId ?? null,
    span_id: event.trace?.spanId ?? null,
    profile_id: event.profileId,
    profiler_id: event.profilerId,
    replay_id: event.replayId,
  };
}

function chainFields(chain: ExceptionChain | null): IssueStructured["exception_chain"] {
  return (chain?.links ?? []).map((l) => ({
    type: l.exception.type,
    value: l.exception.value,
    role: l.role,
    relation: l.relation,
    parent: l.parent !== null ? chain!.links.findIndex((p) => p.index === l.parent) : null,
    handled: l.exception.mechanism?.handled ?? null,
    mechanism: l.exception.mechanism?.type ?? null,
  }));
}

/** The release the event came from, and the commits Sentry suspects (null when it was not asked). */
function releaseFields(input: IssueViewInput): Pick<IssueStructured, "release" | "suspect_commits"> {
  const { issue } = input;
  return {
    release: input.release
      ? {
          version: input.release.version,
          date_released: input.release.dateReleased ?? input.release.dateCreated,
          commit_count: input.release.commitCount,
          first_release: issue.firstRelease?.version ?? null,
          is_first_release: issue.firstRelease ? issue.firstRelease.version === input.release.version : null,
        }
      : null,
    suspect_commits:
      input.suspectCommits === undefined || input.suspectCommits === null
        ? null
        : input.suspectCommits.map((c) => ({
            sha: c.sha,
            subject: c.subject,
            author: c.author,
            date: c.date,
            repository: c.repository,
            type: c.suspectType,
          })),
  };
}

function structuredFrame(frame: Frame): StructuredFrame {
  const line = frame.lineNo !== null ? (frame.context.find(([n]) => n === frame.lineNo)?.[1] ?? null) : null;
  return {
    file: frame.filename ?? frame.absPath,
    abs_path: frame.absPath,
    module: frame.module,
    function: frame.function,
    line: frame.lineNo,
    column: frame.colNo,
    in_app: frame.inApp,
    context: line !== null ? truncate(line.trim(), 300) : null,
  };
}
