import { describe, expect, it } from "vitest";
import type { Fault } from "../../src/sandbox/faults.ts";
import { analyze, env, MAX_RETRIES, useFaultScenario } from "./fault-scenario.ts";

/** analyze_root_cause with Sentry failing at each step it takes, every way it can fail (see fault-scenario.ts). */

useFaultScenario();

const FAULTS: Record<string, Omit<Fault, "match">> = {
  "401": { status: 401 },
  "404": { status: 404 },
  "429 with a reset": { status: 429, resetSeconds: 0 },
  "502": { status: 502 },
  "no answer": { kind: "hang" },
  "an HTML error page": { kind: "html", status: 503 },
  "cut-off JSON": { kind: "truncated" },
  "a reset connection": { kind: "reset" },
};

/** Each Sentry request analyze_root_cause makes for s01, and whether the analysis can go on without it. */
const SENTRY_STEPS: Array<{ step: string; match: RegExp; required: boolean; note: RegExp; calls?: number }> =
  [
    { step: "the issue", match: /\/issues\/STOREFRONT-2M\/$/, required: true, note: /./ },
    { step: "its event", match: /\/events\/recommended\/$/, required: true, note: /./ },
    { step: "tag distribution", match: /\/issues\/[^/]+\/tags\//, required: false, note: /tag/ },
    { step: "code mappings", match: /\/code-mappings\//, required: false, note: /code mappings/ },
    { step: "the release", match: /\/releases\/[^/]+\/$/, required: false, note: /release/ },
    {
      step: "release commits",
      match: /\/releases\/[^/]+\/commits\//,
      required: false,
      note: /release commits/,
    },
    { step: "suspect commits", match: /\/committers\//, required: false, note: /suspect commits/ },
    { step: "trace summary", match: /\/trace-meta\//, required: false, note: /trace summary/ },
    { step: "the trace", match: /\/trace\/[0-9a-f]+\/$/, required: false, note: /trace/ },
    // Logs are asked for twice when the first query fails: the current dataset, then the older one.
    { step: "logs", match: /\/organizations\/acme\/events\/$/, required: false, note: /logs/, calls: 2 },
    {
      step: "the other service's error",
      match: /\/projects\/acme\/orders-api\/events\//,
      required: false,
      note: /orders-api/,
    },
  ];

describe.each(SENTRY_STEPS)("Sentry failing at $step", ({ match, required, note, calls = 1 }) => {
  it.each(Object.entries(FAULTS))("with %s", async (name, fault) => {
    env.prepared.sandbox.faults.clear();
    env.prepared.sandbox.clearRequests();
    env.prepared.sandbox.faults.add({ match, ...fault });
    const { result, text, out, runs, problems, waited } = await analyze();
    env.prepared.sandbox.faults.clear();

    const tries = env.prepared.sandbox.requests.filter((r) => match.test(r.path)).length;
    // A retry waits first: a backoff after a 502, the window's reset after a 429.
    if (name === "502" || name.startsWith("429")) expect(waited).toBeGreaterThan(0);
    // One try, one retry; a 404 may fall back to one other endpoint (shortids, the latest event, per-key tags).
    expect(tries).toBeLessThanOrEqual(name === "404" ? 12 : calls * (1 + MAX_RETRIES) + 1);
    expect(problems).toEqual([]);
    expect(runs.every((r) => r.status === "completed" || r.status === "failed")).toBe(true);
    expect(text).not.toMatch(/<html|<body|\bat \S+ \(.*:\d+:\d+\)/i);

    if (result.isError) {
      expect(required || name === "404").toBe(true);
      expect(text).toMatch(/Sentry|token/);
      expect(text).toMatch(/Next: /);
      expect(runs.every((r) => r.status === "failed")).toBe(true);
    } else {
      expect(out?.candidates.length).toBeGreaterThan(0);
      // A 404 is an answer (nothing stored), not a failure; anything else is named in the notes.
      if (!required && name !== "404") expect(out?.notes.join("\n")).toMatch(note);
      expect(runs.map((r) => r.status)).toEqual(["completed"]);
    }
  });
});
