import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { actionable, confidentEnough } from "../../src/automation/gate.ts";
import {
  freshTimestamp,
  orgFromUrl,
  readSentryWebhook,
  verifySentrySignature,
} from "../../src/automation/sentry-webhook.ts";
import { automationConfig } from "../../src/config-automation.ts";
import { normalizeIssue } from "../../src/sentry/normalize-issue.ts";

const NOW = Date.parse("2026-11-28T12:00:00Z");
const rules = automationConfig(undefined, {}).actionability;
const issue = (fields: Record<string, unknown>) =>
  normalizeIssue({
    id: "1",
    shortId: "A-1",
    title: "E",
    level: "error",
    status: "unresolved",
    count: "25",
    lastSeen: "2026-11-28T11:00:00Z",
    project: { slug: "api" },
    ...fields,
  });

describe("actionability gate", () => {
  it("passes an issue with enough events, seen recently, fixable enough", () => {
    expect(actionable(issue({ seerFixabilityScore: 0.7 }), rules, NOW)).toEqual({
      ok: true,
      needsConfidence: false,
    });
    expect(actionable(issue({}), rules, NOW)).toEqual({ ok: true, needsConfidence: true });
  });
  it.each([
    [{ count: "3" }, "3 events, fewer than 10"],
    [{ lastSeen: "2026-10-01T00:00:00Z" }, "not seen in the last 14 days"],
    [{ seerFixabilityScore: 0.2 }, "fixability 0.20 is below 0.4"],
    [{ level: "warning" }, "level warning"],
    [{ status: "resolved" }, "the issue is resolved"],
  ])("refuses %j and says why", (fields, reason) => {
    const result = actionable(issue(fields), rules, NOW);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain(reason);
  });
  it("filters by project and falls back to root-cause confidence", () => {
    expect(actionable(issue({}), { ...rules, projects: ["web"] }, NOW).ok).toBe(false);
    expect(confidentEnough({ level: "low", score: 0.3 }, rules).ok).toBe(false);
    expect(confidentEnough({ level: "medium", score: 0.6 }, rules).ok).toBe(true);
  });
});

describe("Sentry webhooks", () => {
  const secret = "a".repeat(64);
  const body = Buffer.from(
    JSON.stringify({
      action: "created",
      data: {
        issue: { id: "42", shortId: "API-7", url: "https://sentry.io/api/0/organizations/acme/issues/42/" },
      },
    }),
  );
  const sign = (raw: Buffer) => createHmac("sha256", secret).update(raw).digest("hex");

  it("verifies the hex HMAC of the raw body and nothing else", () => {
    expect(verifySentrySignature(body, sign(body), secret)).toBe(true);
    expect(verifySentrySignature(Buffer.from(`${body} `), sign(body), secret)).toBe(false);
    expect(verifySentrySignature(body, sign(body).replace(/^./, "0"), secret)).toBe(sign(body)[0] === "0");
    expect(verifySentrySignature(body, undefined, secret)).toBe(false);
    expect(verifySentrySignature(body, "sha256=abc", secret)).toBe(false);
  });
  it("refuses stale and future timestamps", () => {
    expect(freshTimestamp(String(NOW / 1000 - 10), NOW, 300)).toBe(true);
    expect(freshTimestamp(String(NOW / 1000 - 600), NOW, 300)).toBe(false);
    expect(freshTimestamp(String(NOW / 1000 + 600), NOW, 300)).toBe(false);
    expect(freshTimestamp(undefined, NOW, 300)).toBe(false);
  });
  it("accepts issue.created and event_alert.triggered, ignores the rest", () => {
    expect(readSentryWebhook("issue", JSON.parse(body.toString()))).toMatchObject({
      kind: "accept",
      org: "acme",
      issueId: "42",
      shortId: "API-7",
    });
    expect(
      readSentryWebhook("event_alert", {
        action: "triggered",
        data: {
          event: { issue_id: "77", issue_url: "https://acme.sentry.io/api/0/organizations/acme/issues/77/" },
        },
      }),
    ).toMatchObject({ kind: "accept", issueId: "77", org: "acme" });
    expect(readSentryWebhook("issue", { action: "resolved", data: {} }).kind).toBe("ignore");
    expect(readSentryWebhook("seer", { action: "root_cause_completed" }).kind).toBe("ignore");
    expect(readSentryWebhook("issue", { action: "created", data: {} }).kind).toBe("reject");
    expect(orgFromUrl("https://acme.sentry.io/issues/1/")).toBe("acme");
  });
});
