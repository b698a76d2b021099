import { afterEach, describe, expect, it } from "vitest";
import { type FakeCursor, startFakeCursor } from "../fakes/cursor.ts";
import {
  type AutomationServer,
  CURSOR_KEY,
  freePort,
  issueCreated,
  jobsOf,
  postSentryWebhook,
  readStore,
  startAutomationServer,
  waitFor,
  writeAutomationConfig,
} from "../helpers/automation.ts";
import { scenarioNamed } from "../helpers/session.ts";
import { type PreparedScenario, prepareScenario } from "../scenarios/setup.ts";

/**
 * SIGKILL the server mid-analysis, mid-dispatch and mid-burst of webhooks; restart it on the same store.
 * The store must pass SQLite's integrity check, no run may be lost or duplicated, and queued work must
 * complete exactly once — one run and one agent per issue.
 */

const scenario = scenarioNamed("s02-node-missing-guard");
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Rig {
  prepared: PreparedScenario;
  cursor: FakeCursor;
  port: number;
  issue: { id: string; shortId: string; project: string };
  start(): Promise<AutomationServer>;
}

async function rig(): Promise<Rig> {
  const prepared = await prepareScenario(scenario);
  const cursor = await startFakeCursor({ apiKey: CURSOR_KEY });
  cleanups.push(
    () => prepared.close(),
    () => cursor.close(),
  );
  writeAutomationConfig(prepared, cursor.url);
  const main = prepared.sandbox.store.scenario.issues[0]!;
  const port = await freePort();
  return {
    prepared,
    cursor,
    port,
    issue: {
      id: String(main.issue.id),
      shortId: String(main.issue.shortId),
      project: String((main.issue.project as { slug: string }).slug),
    },
    start: async () => {
      const server = await startAutomationServer(prepared, port);
      cleanups.push(() => server.spawned.kill());
      return server;
    },
  };
}

async function sigkill(server: AutomationServer): Promise<void> {
  const { child } = server.spawned;
  const exited = new Promise((r) => child.once("exit", r));
  process.kill(child.pid!, "SIGKILL");
  await exited;
}

function storeHealthy(dbPath: string): string[] {
  return readStore(dbPath, (db) => [
    ...(db.pragma("integrity_check") as Array<{ integrity_check: string }>)
      .map((r) => r.integrity_check)
      .filter((r) => r !== "ok"),
    ...(db.pragma("foreign_key_check") as unknown[]).map((r) => JSON.stringify(r)),
  ]);
}

const count = (dbPath: string, sql: string) =>
  readStore(dbPath, (db) => (db.prepare(sql).get() as { n: number }).n);

describe("durability under SIGKILL", () => {
  it("killed mid-analysis, the restarted server finishes the same run and dispatches once", async () => {
    const r = await rig();
    r.prepared.sandbox.setLatency(400);
    const first = await r.start();
    await postSentryWebhook(first.base, issueCreated(r.issue), { requestId: "kill-analysis" });
    const during = await waitFor("the run to start", () =>
      jobsOf(first.dbPath).find((j) => j.step === "root_cause" && j.run_id),
    );
    await sigkill(first);
    expect(r.cursor.launches).toHaveLength(0);

    r.prepared.sandbox.setLatency(0);
    const second = await r.start();
    const job = await waitFor("the dispatch", () =>
      // A job waiting for its next attempt is "queued" on the way: only tracking or an end state is an answer.
      jobsOf(second.dbPath).find((j) => j.step === "track" || ["done", "skipped", "dead"].includes(j.state)),
    );
    expect(job).toMatchObject({ id: during.id, run_id: during.run_id, step: "track" });
    expect(count(second.dbPath, "SELECT count(*) AS n FROM runs")).toBe(1);
    expect(r.cursor.launches).toHaveLength(1);
    expect(storeHealthy(second.dbPath)).toEqual([]);
  });

  it("killed while Cursor creates the agent, the restarted server adopts that agent instead of launching another", async () => {
    const r = await rig();
    r.cursor.holdNextLaunch();
    const first = await r.start();
    await postSentryWebhook(first.base, issueCreated(r.issue), { requestId: "kill-dispatch" });
    const agent = await waitFor("the launch to reach Cursor", () => r.cursor.agents()[0]);
    await sigkill(first);

    const second = await r.start();
    const job = await waitFor("the job to resume", () =>
      jobsOf(second.dbPath).find((j) => j.step === "track"),
    );
    expect(r.cursor.launches).toHaveLength(1);
    expect(r.cursor.agents()).toHaveLength(1);
    const dispatch = readStore(second.dbPath, (db) =>
      db.prepare("SELECT external_id, status FROM dispatches WHERE run_id = ?").all(job.run_id),
    );
    expect(dispatch).toEqual([expect.objectContaining({ external_id: agent.id })]);
    expect(count(second.dbPath, "SELECT count(*) AS n FROM runs")).toBe(1);
    expect(storeHealthy(second.dbPath)).toEqual([]);
  });

  it("killed during a burst of webhooks, every acknowledged delivery is kept and each issue runs once", async () => {
    const r = await rig();
    const issues = Array.from({ length: 10 }, (_, i) => ({
      id: String(61_000_000 + i),
      shortId: `BURST-${i}`,
      project: r.issue.project,
    }));
    const template = r.prepared.sandbox.store.scenario.issues[0]!;
    for (const i of issues)
      r.prepared.sandbox.store.scenario.issues.push({
        ...template,
        issue: { ...template.issue, id: i.id, shortId: i.shortId, count: "3" },
      });
    // Four deliveries per issue (repeat alerts), each with its own Request-ID and its own body: the same
    // signed body twice is a replay, refused whatever its Request-ID.
    const deliveries = issues.flatMap((issue) =>
      [0, 1, 2, 3].map((k) => ({ issue, requestId: `${issue.id}-${k}`, body: alert(issue, k) })),
    );

    const first = await r.start();
    const acknowledged = new Set<string>();
    let sent = 0;
    let killed: Promise<void> | null = null;
    const sender = async () => {
      while (sent < deliveries.length) {
        const d = deliveries[sent++]!;
        if (acknowledged.size >= 15) {
          killed = killed ?? sigkill(first);
          await killed;
        }
        const res = await postSentryWebhook(first.base, d.body, {
          requestId: d.requestId,
        }).catch(() => null);
        if (res && res.status < 300) acknowledged.add(d.requestId);
      }
    };
    await Promise.all([sender(), sender(), sender()]);
    expect(acknowledged.size).toBeGreaterThanOrEqual(15);
    expect(acknowledged.size).toBeLessThan(deliveries.length);

    // Sentry redelivers what was not acknowledged; we send everything again.
    const second = await r.start();
    for (const d of deliveries) {
      const res = await postSentryWebhook(second.base, d.body, { requestId: d.requestId });
      expect(res.status).toBeLessThan(300);
      if (acknowledged.has(d.requestId)) expect(res.body.status).toBe("duplicate_delivery");
    }
    const jobs = await waitFor("every job to finish", () => {
      const all = jobsOf(second.dbPath);
      return all.length === issues.length && all.every((j) => j.state === "skipped") && all;
    });
    expect(new Set(jobs.map((j) => j.issue_id))).toEqual(new Set(issues.map((i) => i.id)));
    expect(count(second.dbPath, "SELECT count(*) AS n FROM deliveries")).toBe(deliveries.length);
    expect(storeHealthy(second.dbPath)).toEqual([]);
  });
});

/** An issue alert for `issue`, the k-th of its kind (Sentry's repeat alerts differ in the issue's count). */
function alert(issue: { id: string; shortId: string; project: string }, k: number): Record<string, unknown> {
  const body = issueCreated(issue);
  const data = body.data as { issue: Record<string, unknown> };
  data.issue = { ...data.issue, count: String(10 + k) };
  return body;
}
