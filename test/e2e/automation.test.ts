import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeCursor, startFakeCursor } from "../fakes/cursor.ts";
import {
  type AutomationServer,
  CURSOR_KEY,
  freePort,
  issueCreated,
  jobsOf,
  mcpClient,
  postSentryWebhook,
  readStore,
  startAutomationServer,
  waitFor,
  writeAutomationConfig,
} from "../helpers/automation.ts";
import { scenarioNamed } from "../helpers/session.ts";
import { type PreparedScenario, prepareScenario } from "../scenarios/setup.ts";

/**
 * Background handoff end to end over HTTP: a signed Sentry webhook → gate → root cause → plan → one Cursor
 * agent at the fake Cursor API → its signed statusChange attaches the PR to the run.
 */

const scenario = scenarioNamed("s02-node-missing-guard");
let prepared: PreparedScenario;
let cursor: FakeCursor;
let server: AutomationServer;
let issue: { id: string; shortId: string; project: string };
const quiet = { id: "51300999", shortId: "BILLING-WORKER-2Q", project: "" };

beforeAll(async () => {
  prepared = await prepareScenario(scenario);
  cursor = await startFakeCursor({ apiKey: CURSOR_KEY });
  const main = prepared.sandbox.store.scenario.issues[0]!;
  issue = {
    id: String(main.issue.id),
    shortId: String(main.issue.shortId),
    project: String((main.issue.project as { slug: string }).slug),
  };
  // A second issue in the same project that fails the gate: three events only.
  quiet.project = issue.project;
  prepared.sandbox.store.scenario.issues.push({
    ...main,
    issue: { ...main.issue, id: quiet.id, shortId: quiet.shortId, count: "3" },
  });
  writeAutomationConfig(prepared, cursor.url);
  server = await startAutomationServer(prepared, await freePort());
});
afterAll(async () => {
  await server?.spawned.kill();
  await cursor?.close();
  await prepared?.close();
});

describe("background handoff over HTTP", () => {
  it("turns one signed issue.created into exactly one run and one Cursor agent, and records the PR", async () => {
    const first = await postSentryWebhook(server.base, issueCreated(issue), { requestId: "req-1" });
    expect(first).toMatchObject({ status: 202, body: { status: "queued" } });

    const agent = await waitFor("the Cursor launch", () => cursor.agents()[0]);
    expect(cursor.launches).toHaveLength(1);
    const launch = cursor.launches[0] as {
      prompt: { text: string };
      source: { repository: string };
      target: { autoCreatePr: boolean; branchName: string };
      webhook: { url: string };
    };
    expect(launch.prompt.text).toContain(`Fixes ${issue.shortId}`);
    expect(launch.target.autoCreatePr).toBe(true);
    expect(launch.webhook.url).toMatch(new RegExp(`^${server.base}/webhooks/cursor\\?token=[\\w-]{32}$`));

    const job = await waitFor("the job to reach track", () =>
      jobsOf(server.dbPath).find((j) => j.step === "track" || j.state === "done"),
    );
    expect(readStore(server.dbPath, (db) => db.prepare("SELECT count(*) AS n FROM runs").get())).toEqual({
      n: 1,
    });
    // The Sentry issue gets a note with the root cause and the agent's link.
    expect(prepared.sandbox.store.comments.map((c) => c.issueId)).toEqual([issue.id]);

    // The redelivered webhook and a second alert for the same issue do nothing.
    const again = await postSentryWebhook(server.base, issueCreated(issue), { requestId: "req-1" });
    expect(again).toMatchObject({ status: 200, body: { status: "duplicate_delivery" } });
    // A second alert differs in its body (the same body again is a replay: see test/e2e/http-limits.test.ts).
    const second = issueCreated(issue);
    (second.data as { issue: Record<string, unknown> }).issue.count = "12";
    const repeat = await postSentryWebhook(server.base, second, { requestId: "req-2" });
    expect(repeat).toMatchObject({ status: 200, body: { status: "duplicate_issue", job_id: job.id } });

    // Cursor finishes and calls back, signed: the run shows the pull request.
    // A client watching the run hears about it.
    const prUrl = "https://github.com/acme/billing-service/pull/77";
    const client = await mcpClient(server.base);
    const updated: string[] = [];
    client.setNotificationHandler("notifications/resources/updated", (n) => {
      updated.push(n.params.uri);
    });
    try {
      await client.subscribeResource({ uri: `autofix://runs/${job.run_id}` });
      const delivery = await cursor.finish(agent.id, {
        prUrl,
        summary: "Guarded the missing plan",
        webhook: true,
      });
      expect(delivery?.status).toBe(200);
      await waitFor("the resource update", () => updated.includes(`autofix://runs/${job.run_id}`), 5_000);
      const run = await client.callTool({ name: "get_run", arguments: { run_id: job.run_id } });
      const dispatches = (run.structuredContent as { run: { dispatches: unknown[] } }).run.dispatches;
      expect(dispatches).toEqual([
        expect.objectContaining({ target: "cursor", status: "completed", pr_url: prUrl }),
      ]);
      expect(JSON.stringify(run.content)).toContain(prUrl);
    } finally {
      await client.close();
    }
    // The callback closes the job at once (the status poll is every 30 s).
    const done = await waitFor(
      "the job to finish",
      () => jobsOf(server.dbPath).find((j) => j.id === job.id && j.state === "done"),
      5_000,
    );
    expect(done.reason).toContain(prUrl);
    expect(cursor.launches).toHaveLength(1);
    expect(readStore(server.dbPath, (db) => db.prepare("SELECT count(*) AS n FROM runs").get())).toEqual({
      n: 1,
    });
  });

  it("refuses a bad signature and a stale timestamp with 401, and queues nothing", async () => {
    const before = jobsOf(server.dbPath).length;
    const forged = await postSentryWebhook(server.base, issueCreated(issue), {
      requestId: "req-forged",
      secret: "not-the-client-secret-0000000000000000",
    });
    expect(forged.status).toBe(401);
    const stale = await postSentryWebhook(server.base, issueCreated(issue), {
      requestId: "req-stale",
      timestamp: Math.floor(Date.now() / 1000) - 3600,
    });
    expect(stale.status).toBe(401);
    expect(jobsOf(server.dbPath)).toHaveLength(before);
  });

  it("records an unactionable issue as skipped, with the reason, and dispatches nothing", async () => {
    const launches = cursor.launches.length;
    const res = await postSentryWebhook(server.base, issueCreated(quiet), { requestId: "req-quiet" });
    expect(res.status).toBe(202);
    const job = await waitFor("the gate", () =>
      jobsOf(server.dbPath).find((j) => j.issue_id === quiet.id && j.state === "skipped"),
    );
    expect(job.reason).toMatch(/not actionable: .*3 events/);
    expect(job.run_id).toBeNull();
    expect(cursor.launches).toHaveLength(launches);
  });

  it("reports the queue on /healthz", async () => {
    const health = (await (await fetch(`${server.base}/healthz`)).json()) as {
      queue: Record<string, number>;
    };
    expect(health.queue).toMatchObject({ skipped: 1 });
    expect(Object.keys(health.queue)).toEqual(expect.arrayContaining(["queued", "running", "dead"]));
  });
});
