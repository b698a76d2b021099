import { describe, expect, it } from "vitest";
import { DEMO, demoScenario } from "../../src/sandbox/demo/index.ts";
import type { Json } from "../../src/sandbox/scenario.ts";

const NOW = Date.parse("2026-11-28T12:00:00Z");
const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|\+00:00)$/;
const SEVERITIES = ["trace", "debug", "info", "warn", "error", "fatal"];

type Frame = {
  function: string | null;
  filename: string;
  lineNo: number | null;
  context: Array<[number, string]>;
};

function exceptionValues(event: Json): Json[] {
  const entries = event.entries as Json[];
  const exc = entries.find((e) => e.type === "exception");
  return exc ? ((exc.data as Json).values as Json[]) : [];
}

function framesOf(value: Json): Frame[] {
  return ((value.stacktrace as Json).frames as Frame[]) ?? [];
}

/** Every issue ref under a list of trace nodes, however deep. */
function issueRefs(nodes: unknown[]): Json[] {
  const out: Json[] = [];
  const walk = (n: Json) => {
    out.push(...((n.errors as Json[]) ?? []), ...((n.occurrences as Json[]) ?? []));
    for (const c of (n.children as Json[]) ?? []) walk(c);
  };
  for (const n of nodes) walk(n as Json);
  return out;
}

/** Every ISO string and every `*timestamp*` / `*Timestamp` epoch number anywhere in the scenario. */
function collectTimes(value: unknown, key = "", out: Array<{ key: string; ms: number }> = []) {
  if (typeof value === "string" && ISO.test(value)) out.push({ key, ms: Date.parse(value) });
  else if (typeof value === "number" && /timestamp/i.test(key)) out.push({ key, ms: value * 1000 });
  else if (Array.isArray(value)) for (const v of value) collectTimes(v, key, out);
  else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) collectTimes(v, k, out);
  return out;
}

describe("demo scenario", () => {
  const s = demoScenario(NOW);
  const byShort = (short: string) => s.issues.find((i) => i.issue.shortId === short)!;

  it("is deterministic for a given now", () => {
    expect(demoScenario(NOW)).toEqual(s);
    expect(JSON.stringify(demoScenario(NOW))).toBe(JSON.stringify(s));
  });

  it("serves the four issues with Sentry's field types", () => {
    expect(s.issues.map((i) => i.issue.shortId)).toEqual([
      DEMO.ordersIssueShortId,
      DEMO.storefrontIssueShortId,
      DEMO.paymentsIssueShortId,
      DEMO.perfIssueShortId,
    ]);
    for (const { issue } of s.issues) {
      expect(typeof issue.id).toBe("string");
      expect(typeof issue.count).toBe("string");
      expect(typeof issue.userCount).toBe("number");
      expect(typeof (issue.project as Json).id).toBe("string");
    }
    expect(byShort(DEMO.ordersIssueShortId).issue).toMatchObject({
      count: "1284",
      userCount: 312,
      substatus: "regressed",
    });
  });

  it("links every event to its issue and the recommended event exists", () => {
    for (const i of s.issues) {
      expect(i.events.length).toBeGreaterThan(0);
      for (const e of i.events) {
        expect(e.groupID).toBe(i.issue.id);
        expect(e.eventID).toMatch(HEX32);
        expect(e.id).toBe(e.eventID);
      }
      expect(i.events.map((e) => e.eventID)).toContain(i.recommendedEventId);
    }
    expect(byShort(DEMO.ordersIssueShortId).recommendedEventId).toBe(DEMO.ordersEvent);
  });

  it("gives every exception a non-empty stack, with applyCoupon as ORDERS-API-7A's throw site", () => {
    for (const i of s.issues) {
      for (const e of i.events) {
        for (const v of exceptionValues(e)) expect(framesOf(v).length).toBeGreaterThan(0);
      }
    }
    const orders = byShort(DEMO.ordersIssueShortId);
    for (const e of orders.events) {
      const values = exceptionValues(e);
      const last = framesOf(values[values.length - 1]!).at(-1)!;
      expect(last.function).toBe("applyCoupon");
      expect(last.filename).toBe("src/pricing/discounts.ts");
      const line = last.context.find(([n]) => n === last.lineNo);
      expect(line?.[1]).toContain("rule.percent");
    }
  });

  it("orders PAYMENTS-1C's chain cause first, raised exception last", () => {
    const event = byShort(DEMO.paymentsIssueShortId).events[0]!;
    const values = exceptionValues(event);
    expect(values.map((v) => v.type)).toEqual(["KeyError", "ChargeError"]);
    expect((values[1]!.mechanism as Json).handled).toBe(false);
    expect(framesOf(values[0]!).at(-1)!.function).toBe("build_charge");
    expect(framesOf(values[1]!)[0]!.filename).toBe("flask/app.py");
  });

  it("gives the N+1 issue a transaction event with an occurrence and no exception", () => {
    const event = byShort(DEMO.perfIssueShortId).events[0]!;
    expect(event.type).toBe("transaction");
    expect(exceptionValues(event)).toEqual([]);
    const spans = (event.entries as Json[]).find((e) => e.type === "spans")!.data as Json[];
    const offenders = ((event.occurrence as Json).evidenceData as Json).offenderSpanIds as string[];
    expect(offenders).toHaveLength(12);
    for (const id of offenders) expect(spans.map((sp) => sp.span_id)).toContain(id);
    expect(((event.contexts as Json).profile as Json).profile_id).toBe(DEMO.profileC);
    expect(s.profiles?.[DEMO.profileC]).toBeDefined();
  });

  it("attaches both checkout errors to trace A, and links the error events back to it", () => {
    const refs = issueRefs(s.traces![DEMO.traceA]!.nodes!);
    expect(refs.map((r) => r.short_id).sort()).toEqual([
      DEMO.ordersIssueShortId,
      DEMO.storefrontIssueShortId,
    ]);
    expect(refs.find((r) => r.short_id === DEMO.ordersIssueShortId)!.event_id).toBe(DEMO.ordersEvent);
    for (const id of [DEMO.ordersEvent, DEMO.storefrontEvent]) {
      const event = s.issues.flatMap((i) => i.events).find((e) => e.eventID === id)!;
      expect(((event.contexts as Json).trace as Json).trace_id).toBe(DEMO.traceA);
    }
    const occ = issueRefs(s.traces![DEMO.traceC]!.nodes!);
    expect(occ.map((r) => [r.short_id, r.event_type])).toEqual([[DEMO.perfIssueShortId, "occurrence"]]);
  });

  it("uses well-formed trace and span IDs", () => {
    for (const [traceId, trace] of Object.entries(s.traces!)) {
      expect(traceId).toMatch(HEX32);
      const walk = (n: Json) => {
        expect(n.span_id).toMatch(HEX16);
        expect(n.transaction_id).toMatch(HEX32);
        expect(typeof n.project_id).toBe("number");
        for (const c of n.children as Json[]) {
          expect(c.parent_span_id).toBe(n.span_id);
          walk(c);
        }
      };
      for (const n of trace.nodes!) walk(n as Json);
    }
  });

  it("has flat log rows with 32-hex traces and Sentry's severities", () => {
    expect(s.logs!.length).toBeGreaterThanOrEqual(20);
    for (const row of s.logs!) {
      expect(row.trace).toMatch(HEX32);
      expect(SEVERITIES).toContain(row.severity);
      expect(String(row.timestamp)).toMatch(/\+00:00$/);
    }
    const keyOf = (r: Json) => `${r.project}|${r.severity}|${r.message}|${r.timestamp}`;
    const counts = new Map<string, number>();
    for (const row of s.logs!) counts.set(keyOf(row), (counts.get(keyOf(row)) ?? 0) + 1);
    expect(Math.max(...counts.values())).toBe(5);
    expect(new Set(s.logs!.map((r) => r["sentry.item_id"])).size).toBe(s.logs!.length);
  });

  it("names the stacked-coupons commit as the suspect for ORDERS-API-7A", () => {
    const commits = s.releaseCommits![DEMO.ordersRelease]!;
    expect(commits).toHaveLength(3);
    for (const c of commits) expect(c.id).toMatch(/^[0-9a-f]{40}$/);
    const payload = s.committers![DEMO.ordersEvent]! as { committers: Array<{ commits: Json[] }> };
    const suspect = payload.committers[0]!.commits[0]!;
    expect(suspect.id).toBe(DEMO.suspectCommit);
    expect(suspect.message).toMatch(/stacked coupons/);
    expect(commits.map((c) => c.id)).toContain(DEMO.suspectCommit);
  });

  it("puts every timestamp in the past, and lastSeen within minutes of now", () => {
    const times = collectTimes(s);
    expect(times.length).toBeGreaterThan(200);
    for (const t of times) expect(t.ms, t.key).toBeLessThanOrEqual(NOW);
    const lastSeen = Date.parse(String(byShort(DEMO.ordersIssueShortId).issue.lastSeen));
    expect(NOW - lastSeen).toBeLessThan(10 * 60_000);
  });

  it("moves with now", () => {
    const later = demoScenario(NOW + 86_400_000);
    const lastSeen = (sc: typeof s) => Date.parse(String(sc.issues[0]!.issue.lastSeen));
    expect(lastSeen(later) - lastSeen(s)).toBe(86_400_000);
  });
});
