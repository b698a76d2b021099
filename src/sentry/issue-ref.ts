import { inputError } from "../errors.ts";
import type { EventSelector, SentryClient } from "./client.ts";
import { assertSameSentry, type IssueReference, parseIssueReference } from "./references.ts";
import type { Issue, SentryEvent } from "./types.ts";

/**
 * The one way tools read "which issue, which event, which trace": `issue` (short ID, numeric ID or URL —
 * an event URL names its event), `event` (a selector with an issue; an event ID with a trace), `trace_id`
 * (32 hex characters, dashes and case forgiven), `organization`. Every tool resolves its input here, so a
 * reference that one tool accepts means the same thing to every other.
 */
interface ReferenceInput {
  issue?: string | undefined;
  event?: string | undefined;
  trace_id?: string | undefined;
  organization?: string | undefined;
}

/** An issue reference as a tool receives it, resolved to an organisation and a parsed, same-host reference. */
interface ResolvedRef {
  org: string;
  ref: IssueReference;
  /** `event` if given, else the event the URL named, else `recommended`. */
  selector: EventSelector;
}

interface Reference {
  org: string;
  /** The issue and the event to read, when an issue was named. */
  issue: Omit<ResolvedRef, "org"> | null;
  /** The trace ID given, normalised; null when none was. */
  traceId: string | null;
  /** Without an issue: the event ID given, to find in the trace. */
  eventId: string | null;
}

export async function resolveReference(
  sentry: SentryClient,
  input: ReferenceInput,
  signal?: AbortSignal,
): Promise<Reference> {
  const traceId = input.trace_id?.trim() ? traceIdOf(input.trace_id) : null;
  if (input.issue?.trim()) {
    const { org, ref, selector } = await resolveRef(sentry, { ...input, issue: input.issue }, signal);
    return { org, issue: { ref, selector }, traceId, eventId: null };
  }
  let eventId: string | null = null;
  if (input.event?.trim()) {
    const selector = eventSelector(input.event);
    if (!traceId || !/^[0-9a-f]{32}$/.test(selector))
      throw inputError(
        `event "${input.event.slice(0, 64)}" needs ${traceId ? "to be a 32-character event ID" : "an issue"}.`,
        'Pass issue with it, e.g. {"issue": "ORDERS-API-7A", "event": "latest"}, or an event ID with trace_id.',
      );
    eventId = selector;
  }
  const org = await sentry.org(input.organization, signal);
  return { org, issue: null, traceId, eventId };
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

/** The issue and the event its reference selects, fetched in parallel. */
export async function issueAndEvent(
  sentry: SentryClient,
  org: string,
  issue: Omit<ResolvedRef, "org">,
  signal?: AbortSignal,
): Promise<{ issue: Issue; event: SentryEvent }> {
  const [details, event] = await Promise.all([
    sentry.getIssue(org, issue.ref.id, signal),
    sentry.getIssueEvent(org, issue.ref.id, issue.selector, signal),
  ]);
  return { issue: details, event };
}

function eventSelector(value: string): EventSelector {
  const v = value.trim().toLowerCase().replace(/-/g, "");
  if (["recommended", "latest", "oldest"].includes(v) || /^[0-9a-f]{32}$/.test(v)) return v;
  throw inputError(
    `event "${value.slice(0, 64)}" is not an event selector.`,
    'Use "recommended", "latest", "oldest", or a 32-character event ID from this issue.',
  );
}

/** A trace ID as users paste it: 32 hex characters, upper or lower case, with or without UUID dashes. */
export function traceIdOf(value: string): string {
  const v = normalTraceId(value);
  if (v) return v;
  throw inputError(
    `"${value.trim().slice(0, 64)}" is not a trace ID (32 hex characters).`,
    "Take it from get_issue's Trace line.",
  );
}

/** The trace ID in its canonical form (32 lower-case hex characters), or null when it is not one. */
export function normalTraceId(value: string | null | undefined): string | null {
  const v = (value ?? "").trim().toLowerCase().replace(/-/g, "");
  return /^[0-9a-f]{32}$/.test(v) ? v : null;
}
