import { startFakeCursor } from "../fakes/cursor.ts";
import {
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
import { prepareScenario } from "../scenarios/setup.ts";

/**
 * `npm run bench:webhooks`: how many signed Sentry webhooks per second `POST /webhooks/sentry` acknowledges
 * (verify + record + enqueue, with the worker running), the acknowledgement latency, and the queue latency:
 * how long a job waits between its webhook's acknowledgement and a worker starting it, and how long an
 * actionable issue takes from webhook to the coding agent's launch (gate + root cause + plan + dispatch).
 * Sandbox Sentry with 20 ms latency per request; the server is the real CLI in its own process.
 */
const TOTAL = Number(process.env.BENCH_WEBHOOKS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const ISSUES = 200;

const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? Number.NaN;
};

async function main(): Promise<void> {
  const scenario = scenarioNamed("s02-node-missing-guard");
  const prepared = await prepareScenario(scenario, { latencyMs: 20 });
  const cursor = await startFakeCursor({ apiKey: CURSOR_KEY });
  const template = prepared.sandbox.store.scenario.issues[0]!;
  const project = String((template.issue.project as { slug: string }).slug);
  const issues = Array.from({ length: ISSUES }, (_, i) => ({
    id: String(70_000_000 + i),
    shortId: `LOAD-${i}`,
    project,
  }));
  // Below the gate (3 events): each job fetches its issue from Sentry and is skipped.
  for (const i of issues)
    prepared.sandbox.store.scenario.issues.push({
      ...template,
      issue: { ...template.issue, id: i.id, shortId: i.shortId, count: "3" },
    });
  writeAutomationConfig(prepared, cursor.url, { concurrency: 4 });
  const server = await startAutomationServer(prepared, await freePort(), { AUTOFIX_LOG_LEVEL: "info" });
  try {
    // 1. Acknowledgement throughput: TOTAL deliveries, ISSUES distinct issues (the rest are repeats).
    const ackMs: number[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < TOTAL) {
          const n = next++;
          const t = performance.now();
          const res = await postSentryWebhook(server.base, issueCreated(issues[n % ISSUES]!), {
            requestId: `bench-${n}`,
          });
          ackMs.push(performance.now() - t);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    await waitFor(
      "every job to finish",
      () => jobsOf(server.dbPath).every((j) => j.state === "skipped" || j.state === "done"),
      120_000,
    );

    // 2. Webhook → agent launched, for an actionable issue (the whole pipeline).
    const t0 = performance.now();
    await postSentryWebhook(
      server.base,
      issueCreated({ id: String(template.issue.id), shortId: String(template.issue.shortId), project }),
      { requestId: "bench-actionable" },
    );
    await waitFor("the Cursor launch", () => cursor.launches.length === 1, 60_000);
    const toLaunch = performance.now() - t0;

    // 3. Queue latency: acknowledgement → a worker starts the job, from the server's own log lines.
    const createdAt = new Map(
      readStore(
        server.dbPath,
        (db) =>
          db.prepare("SELECT id, created_at FROM jobs").all() as Array<{ id: string; created_at: string }>,
      ).map((r) => [r.id, Date.parse(r.created_at)]),
    );
    const pickup = new Map<string, number>();
    const seen = new Set<string>();
    for (const line of server.spawned.stderr().split("\n")) {
      if (!line.startsWith("{")) continue;
      const entry = JSON.parse(line) as {
        msg?: string;
        job?: string;
        ms?: number;
        time?: string;
        step?: string;
      };
      if (entry.msg !== "job step" || !entry.job || entry.step !== "gate" || seen.has(entry.job)) continue;
      seen.add(entry.job);
      const start = Date.parse(entry.time!) - (entry.ms ?? 0);
      const enq = createdAt.get(entry.job);
      if (enq !== undefined) pickup.set(entry.job, Math.max(0, start - enq));
    }

    const single = jobsOf(server.dbPath).find((j) => j.issue_id === String(template.issue.id))!;
    const idle = pickup.get(single.id) ?? Number.NaN;
    pickup.delete(single.id);
    const burst = [...pickup.values()];

    const out = [
      `Webhooks: ${TOTAL} signed issue.created deliveries (${ISSUES} issues), ${CONCURRENCY} concurrent senders, worker running (concurrency 4), sandbox Sentry 20 ms/request`,
      "",
      "| metric | value |",
      "|---|---|",
      `| acknowledged per second | ${Math.round(TOTAL / seconds)} |`,
      `| ack latency p50 / p99 / max | ${q(ackMs, 0.5).toFixed(1)} / ${q(ackMs, 0.99).toFixed(1)} / ${Math.max(...ackMs).toFixed(1)} ms |`,
      `| replies | ${[...statuses].map(([s, n]) => `${s}×${n}`).join(", ")} |`,
      `| queue latency, idle queue (ack → a worker starts the job) | ${idle} ms |`,
      `| queue latency after the burst, ${burst.length} jobs: p50 / p99 / max (backlog drained at concurrency 4) | ${q(burst, 0.5)} / ${q(burst, 0.99)} / ${Math.max(...burst)} ms |`,
      `| webhook → Cursor agent launched (gate, root cause, plan, dispatch) | ${toLaunch.toFixed(0)} ms |`,
    ];
    process.stdout.write(`${out.join("\n")}\n`);
  } finally {
    await server.spawned.kill();
    await cursor.close();
    await prepared.close();
  }
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : error}\n`);
  process.exit(1);
});
