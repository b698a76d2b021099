import { createHmac } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { type Delivery, startWebhookReceiver } from "../fakes/webhook-receiver.ts";
import {
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
import { prepareScenario } from "../scenarios/setup.ts";

/**
 * A fix across services, end to end over HTTP: S01's storefront error is orders-api's crash, and both
 * repositories are connected. A signed issue.created starts one agent per repository at a generic webhook
 * target, each brief naming its sibling; killed between the two dispatches, the restarted server sends
 * the second only.
 */

const HOOK_SECRET = "multirepo-hook-secret-0123456789abcdef01";
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Sent {
  dispatch_id: string;
  repository: string;
  branch: string;
  brief: string;
  callback_url: string;
}
const sent = (d: Delivery) => d.body as Sent;

async function rig() {
  const prepared = await prepareScenario(scenarioNamed("s01"));
  const receiver = await startWebhookReceiver({ secret: HOOK_SECRET });
  cleanups.push(
    () => prepared.close(),
    () => receiver.close(),
  );
  writeAutomationConfig(prepared, "http://127.0.0.1:9");
  const config = JSON.parse(readFileSync(prepared.configPath, "utf8"));
  config.handoff = {
    targets: { hook: { type: "webhook", url: receiver.url, secretEnv: "HOOK_SECRET" } },
    defaultTarget: "hook",
  };
  writeFileSync(prepared.configPath, JSON.stringify(config, null, 2));
  const main = prepared.sandbox.store.scenario.issues[0]!.issue;
  const issue = {
    id: String(main.id),
    shortId: String(main.shortId),
    project: String((main.project as { slug: string }).slug),
  };
  const port = await freePort();
  const start = async () => {
    const server = await startAutomationServer(prepared, port, { HOOK_SECRET });
    cleanups.push(() => server.spawned.kill());
    return server;
  };
  return { receiver, issue, start };
}

const dispatchRows = (dbPath: string) =>
  readStore(dbPath, (db) =>
    db
      .prepare("SELECT id, repository, external_id, status, pr_url FROM dispatches ORDER BY created_at")
      .all(),
  ) as Array<{ id: string; repository: string; external_id: string | null; status: string; pr_url: string }>;

async function callback(base: string, to: Sent, body: Record<string, unknown>): Promise<number> {
  const raw = JSON.stringify({ dispatch_id: to.dispatch_id, ...body });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = createHmac("sha256", HOOK_SECRET).update(`${timestamp}.${raw}`).digest("hex");
  const token = new URL(to.callback_url).searchParams.get("token");
  const res = await fetch(`${base}/webhooks/webhook?token=${token}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-autofix-timestamp": timestamp,
      "x-autofix-signature": `sha256=${signature}`,
    },
    body: raw,
  });
  return res.status;
}

describe("a fix across two repositories, handed off in the background", () => {
  it("starts one agent per repository, each brief naming its sibling, and get_run shows both PRs", async () => {
    const r = await rig();
    const server = await r.start();
    await postSentryWebhook(server.base, issueCreated(r.issue), { requestId: "multi-1" });
    const job = await waitFor("the job to reach track", () =>
      jobsOf(server.dbPath).find((j) => j.step === "track" || ["done", "skipped", "dead"].includes(j.state)),
    );
    expect(job).toMatchObject({ step: "track" });
    const [api, web] = r.receiver.deliveries.map(sent) as [Sent, Sent];
    expect(r.receiver.deliveries).toHaveLength(2);
    expect(r.receiver.deliveries.every((d) => d.verified)).toBe(true);
    expect([api.repository, web.repository]).toEqual(["acme/orders-api", "acme/storefront"]);
    expect(api.branch).toBe(web.branch);
    expect(api.brief).toContain("This is part 1 of 2: the changes in `acme/orders-api`");
    expect(api.brief).toContain(`Part 2 of 2: \`acme/storefront\``);
    expect(api.brief).toContain(web.dispatch_id);
    expect(web.brief).toContain("This is part 2 of 2: the changes in `acme/storefront`");
    expect(web.brief).toContain(api.dispatch_id);

    // Each agent reports its own pull request; the run shows both.
    for (const [to, n] of [
      [api, 7],
      [web, 8],
    ] as const)
      expect(
        await callback(server.base, to, {
          status: "completed",
          pr_url: `https://github.com/${to.repository}/pull/${n}`,
        }),
      ).toBeLessThan(300);
    const client = await mcpClient(server.base);
    cleanups.push(() => client.close());
    const run = (await client.callTool({ name: "get_run", arguments: { run_id: job.run_id } }))
      .structuredContent as { run: { dispatches: Array<Record<string, unknown>> } };
    expect(run.run.dispatches.map((d) => [d.repository, d.status, d.pr_url])).toEqual([
      ["acme/orders-api", "completed", "https://github.com/acme/orders-api/pull/7"],
      ["acme/storefront", "completed", "https://github.com/acme/storefront/pull/8"],
    ]);
    const done = await waitFor("the job to finish", () =>
      jobsOf(server.dbPath).find((j) => j.id === job.id && j.state === "done"),
    );
    expect(done.reason).toBe(
      "hook → acme/orders-api: completed (https://github.com/acme/orders-api/pull/7); hook → acme/storefront: completed (https://github.com/acme/storefront/pull/8)",
    );
  });

  it("killed between the two dispatches, the restarted server sends the second only", async () => {
    const r = await rig();
    // The storefront part reaches the receiver and is never answered: the server dies waiting for it.
    r.receiver.holdNext((body) => body.repository === "acme/storefront");
    const first = await r.start();
    await postSentryWebhook(first.base, issueCreated(r.issue), { requestId: "multi-kill" });
    await waitFor("the second dispatch to reach the receiver", () => r.receiver.deliveries.length === 2);
    expect(dispatchRows(first.dbPath).map((d) => [d.repository, d.status])).toEqual([
      ["acme/orders-api", "queued"],
      ["acme/storefront", "sending"],
    ]);
    const exited = new Promise((resolve) => first.spawned.child.once("exit", resolve));
    process.kill(first.spawned.child.pid!, "SIGKILL");
    await exited;

    const second = await r.start();
    await waitFor("the job to resume and reach track", () =>
      jobsOf(second.dbPath).find((j) => j.step === "track"),
    );
    const byRepo = (repo: string) =>
      r.receiver.deliveries
        .filter((d) => sent(d).repository === repo)
        .map((d) => d.headers["idempotency-key"]);
    // The orders-api agent was recorded as started: it is not sent again. The storefront part is resent
    // under the same key, so a receiver that saw it before treats it as the same request.
    expect(byRepo("acme/orders-api")).toHaveLength(1);
    expect(byRepo("acme/storefront")).toHaveLength(2);
    expect(new Set(byRepo("acme/storefront")).size).toBe(1);
    // The same part again: the same brief, naming the same sibling dispatch.
    const resent = r.receiver.deliveries.filter((d) => sent(d).repository === "acme/storefront").map(sent);
    expect(resent[1]!.brief).toBe(resent[0]!.brief);
    expect(resent[1]!.brief).toContain("This is part 2 of 2");
    const rows = dispatchRows(second.dbPath);
    expect(rows.map((d) => [d.repository, d.status])).toEqual([
      ["acme/orders-api", "queued"],
      ["acme/storefront", "queued"],
    ]);
    expect(rows.every((d) => d.external_id)).toBe(true);
    expect(readStore(second.dbPath, (db) => db.prepare("SELECT count(*) AS n FROM runs").get())).toEqual({
      n: 1,
    });
  });
});
