import type { Logger } from "../log.ts";
import type { EventSelector, SentryClient } from "./client.ts";
import { type CommitRef, fetchRelease, fetchSuspectCommits, type ReleaseDetails } from "./releases.ts";
import { fetchTraceMeta, type TraceMeta } from "./traces.ts";
import type { Issue, SentryEvent, TagDistribution } from "./types.ts";

/**
 * Everything get_issue shows, fetched in two parallel waves: the issue, its event and its tag distributions
 * (org-scoped routes accept short IDs, so these need nothing else first), then what the event points at —
 * its release, Sentry's suspect commits and the trace's counts. A failing enrichment leaves its field empty
 * and notes why; only the issue itself is required.
 */
interface IssueBundle {
  issue: Issue;
  event: SentryEvent | null;
  eventProblem: string | null;
  tags: TagDistribution[];
  release: ReleaseDetails | null;
  /** null when Sentry could not be asked; [] when it has none. */
  suspectCommits: CommitRef[] | null;
  traceMeta: TraceMeta | null;
  /** Enrichments that failed, for the reader: "tags: Sentry answered 500". */
  problems: string[];
}

export const TAG_KEYS = [
  "environment",
  "release",
  "transaction",
  "url",
  "browser.name",
  "os.name",
  "runtime.name",
  "device",
  "server_name",
  "handled",
];

export async function loadIssueBundle(
  sentry: SentryClient,
  org: string,
  issueRef: string,
  selector: EventSelector,
  logger: Logger,
  signal?: AbortSignal,
): Promise<IssueBundle> {
  const problems: string[] = [];
  const degrade =
    <T>(what: string, fallback: T) =>
    (error: unknown) => {
      logger.warn(`${what} unavailable`, { error });
      problems.push(`${what}: ${(error as Error).message}`);
      return fallback;
    };
  const [issueResult, eventResult, tags] = await Promise.all([
    sentry.getIssue(org, issueRef, signal).then(
      (v) => ({ ok: true as const, v }),
      (e: unknown) => ({ ok: false as const, e }),
    ),
    sentry.getIssueEvent(org, issueRef, selector, signal).then(
      (v) => ({ ok: true as const, v }),
      (e: unknown) => ({ ok: false as const, e: e as Error }),
    ),
    sentry
      .getIssueTags(org, issueRef, TAG_KEYS, signal)
      .catch(degrade("tag distribution", [] as TagDistribution[])),
  ]);
  if (!issueResult.ok) throw issueResult.e;
  const issue = issueResult.v;
  const event = eventResult.ok ? eventResult.v : null;
  if (!eventResult.ok) logger.warn("event unavailable", { error: eventResult.e });

  const version = event?.release?.version ?? null;
  const traceId = event?.trace?.traceId ?? null;
  const [release, suspectCommits, traceMeta] = await Promise.all([
    version ? fetchRelease(sentry, org, version, signal).catch(degrade("release", null)) : null,
    event
      ? fetchSuspectCommits(sentry, org, issue.project.slug, event.id, signal).catch(
          degrade("suspect commits", null),
        )
      : null,
    traceId
      ? fetchTraceMeta(sentry, org, traceId, { around: event?.dateCreated ?? null }, signal).catch(
          degrade("trace summary", null),
        )
      : null,
  ]);
  return {
    issue,
    event,
    eventProblem: eventResult.ok ? null : eventResult.e.message,
    tags,
    release: release ?? (event?.release ? { ...event.release, lastDeploy: null, firstEvent: null } : null),
    suspectCommits,
    traceMeta,
    problems,
  };
}
