import type { SentryClient } from "./client.ts";
import { normalizeEvent } from "./normalize-event.ts";
import { enc } from "./paths.ts";
import type { SentryEvent } from "./types.ts";

/** One event by project and ID: another service's error in the same trace, read for its stack. */
export async function fetchProjectEvent(
  sentry: SentryClient,
  org: string,
  project: string,
  eventId: string,
  signal?: AbortSignal,
): Promise<SentryEvent> {
  const res = await sentry.getJson(
    org,
    `/projects/${enc(org)}/${enc(project)}/events/${enc(eventId)}/`,
    {},
    signal,
  );
  return normalizeEvent(res.body);
}

/** A comment on an issue, as the integration's user. Not retried: a timed-out POST may have succeeded. */
export async function commentOnIssue(
  sentry: SentryClient,
  org: string,
  issueId: string,
  text: string,
  signal?: AbortSignal,
): Promise<void> {
  await sentry.postJson(org, `/organizations/${enc(org)}/issues/${enc(issueId)}/comments/`, { text }, signal);
}
