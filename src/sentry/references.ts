import { inputError } from "../errors.ts";

/**
 * Issue references as users paste them: a short ID (`ORDERS-API-7A`), a numeric ID, or a Sentry issue or
 * event URL (SaaS `acme.sentry.io/issues/N/`, `sentry.io/organizations/acme/issues/N/`, self-hosted hosts,
 * `/events/<id>/` suffixes, API URLs from webhooks). A URL is only ever mined for IDs: the server talks to the
 * configured Sentry and nothing else, whatever host the URL names.
 */
export interface IssueReference {
  kind: "short" | "numeric";
  /** The short ID (upper-cased) or the numeric ID. */
  id: string;
  org: string | null;
  eventId: string | null;
  /** The host the reference named, when it was a URL. */
  host: string | null;
  /** Its origin (scheme, host, port), when the URL named a scheme; otherwise https is assumed. */
  origin?: { scheme: string; port: string; explicitScheme: boolean } | null;
}

const ACCEPTED_REFERENCES =
  "a short ID like ORDERS-API-7A, a numeric issue ID like 4509062593, or a Sentry issue/event URL";

const SHORT_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*-[A-Za-z0-9]+$/;
const NUMERIC_ID = /^\d{1,20}$/;
const EVENT_ID = /^[0-9a-f]{32}$/i;
const REGION_SUBDOMAINS = new Set(["us", "de", "www", "app", "sentry"]);

export function parseIssueReference(raw: string): IssueReference {
  const value = raw.trim();
  if (value === "") throw inputError("the issue reference is empty.", `Pass ${ACCEPTED_REFERENCES}.`);
  if (NUMERIC_ID.test(value)) return { kind: "numeric", id: value, org: null, eventId: null, host: null };
  if (/^https?:\/\//i.test(value) || /^[\w.-]+\.[a-z]{2,}\/\S*issues\//i.test(value)) return parseUrl(value);
  if (SHORT_ID.test(value) && !/^\d+$/.test(value)) {
    return { kind: "short", id: value.toUpperCase(), org: null, eventId: null, host: null };
  }
  throw inputError(
    `"${value.slice(0, 120)}" is not an issue reference this server understands.`,
    `Pass ${ACCEPTED_REFERENCES}. Use search_issues to find issues by text.`,
  );
}

function parseUrl(value: string): IssueReference {
  let url: URL;
  try {
    url = new URL(/^https?:\/\//i.test(value) ? value : `https://${value}`);
  } catch {
    throw inputError(`"${value.slice(0, 120)}" is not a valid URL.`, `Pass ${ACCEPTED_REFERENCES}.`);
  }
  const segments = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  const host = url.hostname.toLowerCase();
  const parts = segments[0] === "api" && segments[1] === "0" ? segments.slice(2) : segments;

  let org: string | null = null;
  let issue: string | null = null;
  let eventId: string | null = null;
  const orgIndex = parts.indexOf("organizations");
  if (orgIndex >= 0 && parts[orgIndex + 1]) org = parts[orgIndex + 1]!;
  const issuesIndex = parts.findIndex((p) => p === "issues" || p === "groups");
  if (issuesIndex >= 0 && parts[issuesIndex + 1]) issue = parts[issuesIndex + 1]!;
  const eventsIndex = parts.indexOf("events");
  if (eventsIndex >= 0 && parts[eventsIndex + 1]) eventId = parts[eventsIndex + 1]!.replace(/-/g, "");
  // Old self-hosted layout: /<org>/<project>/issues/<id>/
  if (!org && issuesIndex === 2 && parts[0] !== "organizations") org = parts[0]!;
  // SaaS layout: <org>.sentry.io/issues/<id>/
  if (!org && host.endsWith(".sentry.io")) {
    const sub = host.slice(0, -".sentry.io".length);
    if (!sub.includes(".") && !REGION_SUBDOMAINS.has(sub)) org = sub;
  }

  if (!issue) {
    throw inputError(
      `the URL ${url.origin}${url.pathname} does not point at a Sentry issue.`,
      `Pass ${ACCEPTED_REFERENCES} (an issue URL contains /issues/<id>/).`,
    );
  }
  if (eventId && !EVENT_ID.test(eventId) && !["latest", "oldest", "recommended"].includes(eventId)) {
    throw inputError(`the URL names event "${eventId.slice(0, 40)}", which is not a 32-character event ID.`);
  }
  const origin = {
    scheme: url.protocol,
    port: effectivePort(url),
    explicitScheme: /^https?:\/\//i.test(value),
  };
  const base = { org, eventId: eventId ? eventId.toLowerCase() : null, host, origin };
  if (NUMERIC_ID.test(issue)) return { kind: "numeric", id: issue, ...base };
  if (SHORT_ID.test(issue)) return { kind: "short", id: issue.toUpperCase(), ...base };
  throw inputError(`the URL names issue "${issue.slice(0, 60)}", which is neither a numeric nor a short ID.`);
}

/**
 * A URL's host must belong to the configured Sentry: the same host, or for sentry.io any `*.sentry.io`.
 * Anything else is refused, so a pasted link can never steer requests (or the token) elsewhere.
 */
export function assertSameSentry(ref: IssueReference, baseUrl: string, saas: boolean): void {
  if (!ref.host) return;
  const base = new URL(baseUrl);
  const configured = base.hostname.toLowerCase();
  // Scheme and port count too: http://sentry.example.com:8080 is not the https Sentry on that host.
  const o = ref.origin;
  const sameOrigin =
    !o || ((!o.explicitScheme || o.scheme === base.protocol) && o.port === effectivePort(base));
  const saasOrigin = !o || ((!o.explicitScheme || o.scheme === "https:") && o.port === "443");
  const ok =
    (ref.host === configured && sameOrigin) ||
    (saas && (ref.host === "sentry.io" || ref.host.endsWith(".sentry.io")) && saasOrigin) ||
    (ref.host.endsWith(`.${configured}`) && sameOrigin);
  if (!ok) {
    throw inputError(
      `the URL points at ${ref.host}${o && o.port !== effectivePort(base) ? ` port ${o.port}` : ""}, but this server is connected to ${configured} (${base.origin}); it only reads from the configured Sentry.`,
      "Pass the short ID or numeric ID instead, or point SENTRY_HOST at that Sentry.",
    );
  }
}

/** The port a URL reaches, with the scheme's default filled in. */
function effectivePort(url: URL): string {
  return url.port || (url.protocol === "http:" ? "80" : "443");
}
