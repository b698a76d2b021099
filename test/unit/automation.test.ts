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
import { JobQueue } from "../../src/store/queue.ts";
import { SqliteRunStore } from "../../src/store/sqlite.ts";

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

describe("job queue", () => {
  const setup = () => {
    let now = NOW;
    const store = new SqliteRunStore(":memory:", () => now);
    const queue = new JobQueue(store.db, () => now);
    return { queue, tick: (ms: number) => (now += ms) };
  };
  const delivery = (requestId: string, issueId = "42") => ({
    requestId,
    resource: "issue",
    action: "created",
    org: "acme",
    issueId,
    shortId: null,
  });

  it("dedupes redeliveries by Request-ID and repeat alerts by issue", () => {
    const { queue } = setup();
    const first = queue.enqueue(delivery("r1"));
    expect(first.kind).toBe("queued");
    expect(queue.enqueue(delivery("r1")).kind).toBe("duplicate_delivery");
    expect(queue.enqueue(delivery("r2"))).toEqual({
      kind: "duplicate_issue",
      jobId: (first as { jobId: string }).jobId,
    });
    expect(queue.enqueue(delivery("r3", "43")).kind).toBe("queued");
    expect(queue.depth().queued).toBe(2);
  });

  it("leases jobs, fences writes by the owner, and reclaims an expired lease", () => {
    const { queue, tick } = setup();
    queue.enqueue(delivery("r1"));
    const job = queue.claim("w1", 1000)!;
    expect(job.state).toBe("running");
    expect(queue.claim("w2", 1000)).toBeNull();
    tick(1500);
    const stolen = queue.claim("w2", 1000)!;
    expect(stolen.id).toBe(job.id);
    expect(queue.advance(job.id, "w1", "root_cause")).toBe(false);
    expect(queue.advance(job.id, "w2", "root_cause")).toBe(true);
    expect(queue.finish(job.id, "w2", "done", "ok")).toBe(true);
    expect(queue.get(job.id)).toMatchObject({ state: "done", step: "done", reason: "ok" });
  });

  it("releases the lease of a worker known to be gone, so its job resumes at once", () => {
    const { queue } = setup();
    queue.enqueue(delivery("r1"));
    queue.enqueue(delivery("r2", "43"));
    const dead = queue.claim("worker_dead", 60_000)!;
    queue.claim("worker_alive", 60_000);
    expect(queue.claim("w2", 60_000)).toBeNull();
    expect(queue.releaseLeases((owner) => owner === "worker_dead")).toBe(1);
    expect(queue.claim("w2", 60_000)?.id).toBe(dead.id);
    expect(queue.claim("w3", 60_000)).toBeNull();
  });

  it("retries with backoff, then dead-letters", () => {
    const { queue, tick } = setup();
    const { jobId } = queue.enqueue(delivery("r1")) as { jobId: string };
    for (let attempt = 1; attempt <= 3; attempt++) {
      const job = queue.claim("w", 60_000);
      expect(job?.attempts).toBe(attempt);
      expect(queue.fail(jobId, "w", `boom ${attempt}`, 3)).toBe(attempt < 3 ? "queued" : "dead");
      expect(queue.claim("w", 60_000)).toBeNull();
      tick(10 * 60_000);
    }
    expect(queue.get(jobId)).toMatchObject({ state: "dead", lastError: "boom 3" });
  });

  it("records a dispatch once, before the upstream call", () => {
    const { queue } = setup();
    const d = {
      id: "run_1:cursor:acme/api",
      runId: "run_1",
      jobId: null,
      org: "acme",
      target: "cursor",
      type: "cursor",
      repository: "acme/api",
    };
    expect(queue.beginDispatch(d).status).toBe("sending");
    queue.updateDispatch(d.id, { externalId: "bc_1", status: "running" });
    expect(queue.beginDispatch(d)).toMatchObject({ externalId: "bc_1", status: "running" });
    expect(queue.dispatchByExternal("cursor", "bc_1")?.id).toBe(d.id);
    expect(queue.recentDispatches("acme")).toBe(1);
  });
});
