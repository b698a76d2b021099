import { NotFoundError } from "../errors.ts";
import type { SentryClient } from "./client.ts";
import { fetchFlamegraph, fetchProfileChunk, fetchTransactionProfile, type ProfileData } from "./profiles.ts";
import type { Issue, SentryEvent } from "./types.ts";

/**
 * The profile that best explains an issue's event, and a line saying which it is: the transaction profile
 * the event links; else the continuous-profiling chunk around the event; else, or when the linked profile has
 * expired, its transaction's aggregated flamegraph. Null when none of them exists.
 */
export async function profileForEvent(
  sentry: SentryClient,
  org: string,
  issue: Issue,
  event: SentryEvent,
  options: { now: number; signal?: AbortSignal },
): Promise<{ profile: ProfileData; source: string } | null> {
  const { signal } = options;
  const name = issue.shortId ?? issue.id;
  const transaction =
    event.tags.find(([k]) => k === "transaction")?.[1] ?? (event.type === "transaction" ? event.title : null);
  let profile: ProfileData | null = null;
  let source = name;
  if (event.profileId) {
    source = `transaction profile \`${event.profileId}\` of ${name}`;
    profile = await fetchTransactionProfile(sentry, org, issue.project.slug, event.profileId, signal).catch(
      (e) => (e instanceof NotFoundError && transaction ? null : Promise.reject(e)),
    );
  } else if (event.profilerId && issue.project.id) {
    const t = Date.parse(event.dateCreated ?? "") || options.now;
    source = `continuous profile \`${event.profilerId}\` around ${name}`;
    const window = { start: new Date(t - 30_000).toISOString(), end: new Date(t + 5_000).toISOString() };
    profile = await fetchProfileChunk(sentry, org, issue.project.id, event.profilerId, window, signal);
  }
  if (!profile && transaction) {
    source = `flamegraph of transaction ${transaction} (${issue.project.slug})`;
    const projects = issue.project.id ? [issue.project.id] : [];
    profile = await fetchFlamegraph(sentry, org, transaction, projects, signal);
  }
  return profile ? { profile, source } : null;
}
