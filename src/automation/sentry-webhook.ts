import { createHmac, timingSafeEqual } from "node:crypto";
import { obj, str, text } from "../sentry/lenient.ts";

/**
 * Sentry integration-platform webhooks. The signature is the hex HMAC-SHA256 of the exact body bytes with the
 * integration's client secret — verified over the raw bytes (re-serialised JSON would not match) in constant
 * time. The timestamp is not signed, so stale deliveries are refused by age and replays by Request-ID.
 */

export function verifySentrySignature(raw: Buffer, signature: string | undefined, secret: string): boolean {
  if (!signature || !/^[0-9a-f]{64}$/i.test(signature.trim())) return false;
  const expected = createHmac("sha256", secret).update(raw).digest();
  const given = Buffer.from(signature.trim(), "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

type WebhookVerdict =
  | {
      kind: "accept";
      resource: string;
      action: string;
      org: string | null;
      issueId: string;
      shortId: string | null;
    }
  | { kind: "ignore"; reason: string }
  | { kind: "reject"; status: number; reason: string };

const ACCEPTED = new Set(["issue:created", "event_alert:triggered"]);

/** What a verified delivery asks for: an issue to investigate, or nothing we act on. */
export function readSentryWebhook(resource: string | undefined, body: unknown): WebhookVerdict {
  if (!resource) return { kind: "reject", status: 400, reason: "missing Sentry-Hook-Resource header" };
  const b = obj(body);
  const action = text(b.action) ?? "";
  if (!ACCEPTED.has(`${resource}:${action}`))
    return {
      kind: "ignore",
      reason: `${resource}.${action} is not handled (only issue.created and event_alert.triggered)`,
    };
  const data = obj(b.data);
  if (resource === "issue") {
    const issue = obj(data.issue);
    const issueId = str(issue.id);
    if (!issueId) return { kind: "reject", status: 422, reason: "data.issue.id is missing" };
    return {
      kind: "accept",
      resource,
      action,
      org: orgFromUrl(text(issue.url) ?? text(issue.web_url)),
      issueId,
      shortId: text(issue.shortId),
    };
  }
  const event = obj(data.event);
  const issueId = str(event.issue_id) ?? /\/issues\/(\d+)\//.exec(text(event.issue_url) ?? "")?.[1] ?? null;
  if (!issueId) return { kind: "reject", status: 422, reason: "data.event.issue_id is missing" };
  return {
    kind: "accept",
    resource,
    action,
    org: orgFromUrl(text(event.issue_url) ?? text(event.url) ?? text(event.web_url)),
    issueId,
    shortId: null,
  };
}

/** `…/api/0/organizations/<org>/issues/…` or `https://<org>.sentry.io/…`. */
export function orgFromUrl(url: string | null): string | null {
  if (!url) return null;
  const path = /\/organizations\/([^/]+)\//.exec(url)?.[1];
  if (path) return decodeURIComponent(path);
  const host = /^https?:\/\/([^./]+)\.sentry\.io\//i.exec(url)?.[1];
  return host && !["us", "de", "www"].includes(host) ? host : null;
}

/** Sentry-Hook-Timestamp is Unix seconds; anything older (or from further in the future) than `maxAge` is refused. */
export function freshTimestamp(header: string | undefined, nowMs: number, maxAgeSeconds: number): boolean {
  const ts = Number(header);
  if (!header || !Number.isFinite(ts)) return false;
  return Math.abs(nowMs / 1000 - ts) <= maxAgeSeconds;
}
