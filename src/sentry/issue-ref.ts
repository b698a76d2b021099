import { inputError } from "../errors.ts";
import type { EventSelector, SentryClient } from "./client.ts";
import { assertSameSentry, type IssueReference, parseIssueReference } from "./references.ts";
import type { SentryEvent } from "./types.ts";

/** An issue reference as a tool receives it, resolved to an organisation and a parsed, same-host reference. */
export interface ResolvedRef {
  org: string;
  ref: IssueReference;
  selector: EventSelector;
}

export async function resolveRef(
  sentry: SentryClient,
  input: { issue: string; event?: string | undefined; organization?: string | undefined },
  signal?: AbortSignal,
): Promise<ResolvedRef> {
  const ref = parseIssueReference(input.issue);
  assertSameSentry(ref, sentry.config.baseUrl, sentry.config.saas);
  const org = await sentry.org(input.organization ?? ref.org, signal);
  return { org, ref, selector: eventSelector(input.event ?? ref.eventId ?? "recommended") };
}

/** The event a tool should read for an issue reference (recommended unless the reference names one). */
export async function eventFor(
  sentry: SentryClient,
  input: { issue: string; event?: string | undefined; organization?: string | undefined },
  signal?: AbortSignal,
): Promise<{ org: string; ref: IssueReference; event: SentryEvent }> {
  const { org, ref, selector } = await resolveRef(sentry, input, signal);
  const event = await sentry.getIssueEvent(org, ref.id, selector, signal);
  return { org, ref, event };
}

export function eventSelector(value: string): EventSelector {
  const v = value.trim().toLowerCase().replace(/-/g, "");
  if (["recommended", "latest", "oldest"].includes(v) || /^[0-9a-f]{32}$/.test(v)) return v;
  throw inputError(
    `event "${value.slice(0, 64)}" is not an event selector.`,
    'Use "recommended", "latest", "oldest", or a 32-character event ID from this issue.',
  );
}
