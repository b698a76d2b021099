import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type FakeCursor, startFakeCursor } from "../fakes/cursor.ts";
import {
  type AutomationServer,
  CURSOR_KEY,
  freePort,
  issueCreated,
  MCP_TOKEN,
  postSentryWebhook,
  startAutomationServer,
  writeAutomationConfig,
} from "../helpers/automation.ts";
import { freshDatabase, sql, startPostgres, type TestPostgres } from "../helpers/postgres.ts";
import { corpus } from "../scenarios/index.ts";
import { type PreparedScenario, prepareScenario } from "../scenarios/setup.ts";

/**
 * Several replicas of the real server on one PostgreSQL, as docs/deploy.md runs them: webhooks spread over
 * the replicas, one SIGKILLed mid-burst and restarted; a run used from every replica; the database restarted
 * under load. (`npm run bench:pg` runs the 2,000-webhook version.)
 */

const scenario = corpus.find((s) => s.name === "s02-node-missing-guard")!;
type Issue = { id: string; shortId: string; project: string };

let prepared: PreparedScenario;
let cursor: FakeCursor;
let template: PreparedScenario["sandbox"]["store"]["scenario"]["issues"][number];
let project: string;
const servers: AutomationServer[] = [];

beforeAll(async () => {
  prepared = await prepareScenario(scenario);
  cursor = await startFakeCursor({ apiKey: CURSOR_KEY });
  writeAutomationConfig(prepared, cursor.url);
  template = prepared.sandbox.store.scenario.issues[0]!;
  project = String((template.issue.project as { slug: string }).slug);
});
afterAll(async () => {
  for (const s of servers) await s.spawned.kill();
  await cursor.close();
  await prepared.close();
});

/** Copies of the scenario's issue under new IDs: `actionable` ones go all the way to an agent. */
function addIssues(prefix: string, count: number, actionable: boolean): Issue[] {
  return Array.from({ length: count }, (_, i) => {
    const issue = { id: `${prefix}${String(i).padStart(3, "0")}`, shortId: `${prefix}-${i}`, project };
    prepared.sandbox.store.scenario.issues.push({
      ...template,
      issue: {
        ...template.issue,
        id: issue.id,
        shortId: issue.shortId,
        ...(actionable ? {} : { count: "3" }),
      },
    });
    return issue;
  });
}

async function startReplica(url: string, name: string, port: number, publicUrl: string) {
  const server = await startAutomationServer(prepared, port, {
    AUTOFIX_DATABASE_URL: url,
    AUTOFIX_REPLICA_ID: name,
    AUTOFIX_PUBLIC_URL: publicUrl,
    AUTOFIX_LOG_LEVEL: "warn",
  });
  servers.push(server);
  return server;
}

async function sigkill(server: AutomationServer): Promise<void> {
  const { child } = server.spawned;
  const exited = new Promise((r) => child.once("exit", r));
  process.kill(child.pid!, "SIGKILL");
  await exited;
}

/** The k-th alert for an issue: repeat alerts differ in the issue's count, so each body is its own. */
function alert(issue: Issue, k: number): Record<string, unknown> {
  const body = issueCreated(issue);
  const data = body.data as { issue: Record<string, unknown> };
  data.issue = { ...data.issue, count: String(10 + k) };
  return body;
}

/** A client on the 2025 handshake (a session on that replica), or pinned to 2026-07-28 (no session). */
async function mcp(base: string, pin?: "2026-07-28"): Promise<Client> {
  const options = pin ? { versionNegotiation: { mode: { pin } } } : {};
  const client = new Client({ name: "replicas-e2e", version: "1" }, options);
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${MCP_TOKEN}` } },
    }),
  );
  return client;
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | false> | T | null | false,
  ms: number,
) {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const jobs = (url: string) =>
  sql<{ issue_id: string; state: string; step: string; run_id: string | null }>(
    url,
    "SELECT issue_id, state, step, run_id FROM jobs",
  );
const settled = (j: { state: string; step: string }) =>
  j.state === "done" || j.state === "skipped" || (j.state === "queued" && j.step === "track");

describe("three replicas on one PostgreSQL", () => {
  let url: string;
  const replicas: AutomationServer[] = [];
  let actionable: Issue[];

  it("a replica SIGKILLed mid-burst: every acknowledged delivery kept, one run and one agent per issue", async () => {
    url = await freshDatabase(inject("postgresUrl"));
    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    const publicUrl = `http://127.0.0.1:${ports[0]}`;
    replicas.push(...(await Promise.all(ports.map((p, i) => startReplica(url, `r${i}`, p, publicUrl)))));
    actionable = addIssues("910", 4, true);
    const quiet = addIssues("920", 20, false);
    const deliveries = [...actionable, ...quiet].flatMap((issue) =>
      [0, 1, 2, 3].map((k) => ({ issue, requestId: `${issue.id}-${k}`, body: alert(issue, k) })),
    );

    const acknowledged = new Set<string>();
    let next = 0;
    let killed: Promise<void> | null = null;
    const sender = async () => {
      while (next < deliveries.length) {
        const n = next++;
        const d = deliveries[n]!;
        if (acknowledged.size >= 30) killed ??= sigkill(replicas[1]!);
        const target = replicas[n % 3]!;
        const res = await postSentryWebhook(target.base, d.body, { requestId: d.requestId }).catch(
          () => null,
        );
        if (res && res.status < 300) acknowledged.add(d.requestId);
      }
    };
    await Promise.all(Array.from({ length: 6 }, sender));
    await killed;
    expect(acknowledged.size).toBeLessThan(deliveries.length);

    // The killed replica comes back; Sentry redelivers what was not acknowledged (we send everything).
    replicas[1] = await startReplica(url, "r1", ports[1]!, publicUrl);
    for (const [n, d] of deliveries.entries()) {
      const res = await postSentryWebhook(replicas[n % 3]!.base, d.body, { requestId: d.requestId });
      expect(res.status).toBeLessThan(300);
      if (acknowledged.has(d.requestId)) expect(res.body.status).toBe("duplicate_delivery");
    }
    const all = await waitFor(
      "every job to settle",
      async () => {
        const rows = await jobs(url);
        return rows.length === 24 && rows.every(settled) ? rows : null;
      },
      25_000,
    );
    expect(new Set(all.map((j) => j.issue_id)).size).toBe(24);
    const [counts] = await sql<{ deliveries: number; runs: number; dispatches: number; sent: number }>(
      url,
      `SELECT (SELECT COUNT(*) FROM deliveries)::int AS deliveries, (SELECT COUNT(*) FROM runs)::int AS runs,
              (SELECT COUNT(*) FROM dispatches)::int AS dispatches,
              (SELECT COUNT(*) FROM dispatches WHERE external_id IS NOT NULL)::int AS sent`,
    );
    expect(counts).toEqual({ deliveries: deliveries.length, runs: 4, dispatches: 4, sent: 4 });
    const branches = cursor.launches.map((l) => (l.target as { branchName: string }).branchName);
    expect(branches).toHaveLength(4);
    expect(new Set(branches).size).toBe(4);
  }, 60_000);

  it("serves a run from any replica and tells a subscriber on one about a change made on another", async () => {
    const [run] = await sql<{ id: string }>(url, "SELECT id FROM runs ORDER BY created_at LIMIT 1");
    const [a, b, c] = await Promise.all(replicas.map((r) => mcp(r.base)));
    const modern = await mcp(replicas[2]!.base, "2026-07-28");
    try {
      const updates: string[] = [];
      const modernUpdates: string[] = [];
      a!.setNotificationHandler("notifications/resources/updated", (n) => {
        updates.push(n.params.uri);
      });
      modern.setNotificationHandler("notifications/resources/updated", (n) => {
        modernUpdates.push(n.params.uri);
      });
      const uri = `autofix://runs/${run!.id}`;
      await a!.subscribeResource({ uri });
      await modern.listen({ resourceSubscriptions: [uri] });
      const fb = await b!.callTool({
        name: "add_feedback",
        arguments: { run_id: run!.id, message: "verified on replica b" },
      });
      expect(fb.isError).toBeFalsy();
      await waitFor("the update to reach replica a", () => updates.includes(uri), 5_000);
      await waitFor(
        "the update to reach the listener on replica c",
        () => modernUpdates.includes(uri),
        5_000,
      );
      const read = await c!.callTool({ name: "get_run", arguments: { run_id: run!.id } });
      expect(JSON.stringify(read.structuredContent)).toContain("verified on replica b");
      const brief = await c!.callTool({ name: "hand_off", arguments: { run_id: run!.id } });
      expect(brief.isError).toBeFalsy();
      expect((brief.structuredContent as { pr_body: string }).pr_body).toMatch(/Fixes 910-\d/);
    } finally {
      await Promise.all([a, b, c, modern].map((x) => x?.close()));
    }

    for (const [i, r] of replicas.entries()) {
      const res = await fetch(`${r.base}/healthz`);
      expect(res.headers.get("x-autofix-replica")).toBe(`r${i}`);
      const health = (await res.json()) as Record<string, any>;
      expect(health).toMatchObject({ status: "ok", replica: `r${i}` });
      expect(health.database).toMatchObject({
        kind: "postgres",
        reachable: true,
        migration: 2,
        listening: true,
      });
      expect(health.database.pool.max).toBe(10);
    }
  }, 30_000);
});

describe("the database restarted under load", () => {
  let postgres: TestPostgres;
  afterAll(async () => {
    await postgres?.destroy();
  });

  it("replicas reconnect and nothing acknowledged is lost", async () => {
    postgres = await startPostgres({ durable: true });
    const url = await freshDatabase(postgres.url);
    const ports = await Promise.all([freePort(), freePort()]);
    const pair = await Promise.all(
      ports.map((p, i) => startReplica(url, `db${i}`, p, `http://127.0.0.1:${ports[0]}`)),
    );
    const issues = addIssues("930", 30, false);
    const deliveries = issues.map((issue) => ({ issue, requestId: `${issue.id}-0`, body: alert(issue, 0) }));
    const acknowledged = new Set<string>();
    let next = 0;
    let restarted: Promise<void> | null = null;
    /** The first ten deliveries' answers: the database stops only once they are in, so all ten count. */
    const before: Array<Promise<unknown>> = [];
    const sender = async () => {
      while (next < deliveries.length) {
        const n = next++;
        const d = deliveries[n]!;
        if (n === 10)
          restarted = Promise.all(before)
            .then(() => postgres.stop())
            .then(async () => {
              await new Promise((r) => setTimeout(r, 500));
              await postgres.start();
            });
        if (n > 10) await Promise.all(before);
        const post = postSentryWebhook(pair[n % 2]!.base, d.body, { requestId: d.requestId }).catch(
          () => null,
        );
        if (n < 10) before.push(post);
        const res = await post;
        if (res && res.status < 300) acknowledged.add(d.requestId);
        await new Promise((r) => setTimeout(r, 30));
      }
    };
    await Promise.all([sender(), sender()]);
    await restarted;
    // The outage was felt: some deliveries were refused (5xx, so Sentry would redeliver them).
    expect(acknowledged.size).toBeLessThan(deliveries.length);
    expect(acknowledged.size).toBeGreaterThanOrEqual(10);
    // Redeliver until each is acknowledged: the replicas must be serving again.
    for (const d of deliveries) {
      const res = await waitFor(
        `delivery ${d.requestId} to be acknowledged`,
        async () => {
          const r = await postSentryWebhook(pair[0]!.base, d.body, { requestId: d.requestId }).catch(
            () => null,
          );
          return r && r.status < 300 ? r : null;
        },
        15_000,
      );
      if (acknowledged.has(d.requestId)) expect(res.body.status).toBe("duplicate_delivery");
    }
    const settledJobs = await waitFor(
      "every job to settle",
      async () => {
        const rows = await jobs(url);
        return rows.length === issues.length && rows.every(settled) ? rows : null;
      },
      20_000,
    );
    expect(settledJobs.every((j) => j.state === "skipped")).toBe(true);
    for (const r of pair) {
      const health = (await (await fetch(`${r.base}/healthz`)).json()) as Record<string, any>;
      expect(health.database).toMatchObject({ reachable: true, migration: 2 });
    }
  }, 60_000);
});
