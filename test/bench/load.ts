import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { DEMO, demoScenario } from "../../src/sandbox/demo/index.ts";
import { buildDemoRepos } from "../../src/sandbox/demo/repos/index.ts";
import { startSandbox } from "../../src/sandbox/server.ts";
import { spawnCli } from "../helpers/spawn.ts";

/**
 * `npm run bench:load`: the HTTP transport under load on this machine. N concurrent sessions (10, 100, 500)
 * call get_issue and analyze-free context tools against the sandbox Sentry with injected latency; reports
 * throughput, p50/p99, errors and server memory per session; then 10,000 calls for steady memory; idle
 * expiry; and whether one slow upstream stalls the other sessions.
 */
const LATENCY = Number(process.env.LOAD_LATENCY_MS ?? 20);
const LEVELS = (process.env.LOAD_SESSIONS ?? "10,100,500").split(",").map(Number);
const CALLS_PER_SESSION = Number(process.env.LOAD_CALLS ?? 4);
const STEADY_CALLS = Number(process.env.LOAD_STEADY_CALLS ?? 10_000);

const GC_HOOK = pathToFileURL(join(import.meta.dirname, "gc-on-signal.mjs")).href;
const LOOP_HOOK = pathToFileURL(join(import.meta.dirname, "loop-delay.mjs")).href;
/** Analyses running at once in the "calm under load" phase. */
const CALM_ANALYSES = Number(process.env.LOAD_CALM_ANALYSES ?? 100);
/** Run only these phases (comma-separated: levels, steady, idle, isolation, calm); default all. */
const PHASES = new Set((process.env.LOAD_PHASES ?? "levels,steady,idle,isolation,calm").split(","));
const rssOf = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0;
};

async function connect(url: string): Promise<Client> {
  const client = new Client({ name: "load", version: "1" });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

async function main(): Promise<void> {
  const now = Date.now();
  const repos = await buildDemoRepos(mkdtempSync(join(tmpdir(), "autofix-load-repos-")), now);
  const sandbox = await startSandbox({
    scenario: demoScenario(now),
    latencyMs: LATENCY,
    rateLimit: { limit: 10_000_000, windowSeconds: 60 },
  });
  const configPath = join(tmpdir(), `autofix-load-${process.pid}.json`);
  // Sessions idle for 30 s are closed: long enough for 500 sessions to connect to a saturated server before
  // their first call, short enough to watch.
  writeFileSync(
    configPath,
    JSON.stringify({
      http: { sessionIdleMinutes: 0.5 },
      repositories: repos.map((r) => ({ name: r.name, path: r.path, projects: r.projects })),
    }),
  );
  const server = spawnCli(["--transport", "http", "--port", "0", "--log-level", "warn"], {
    SENTRY_HOST: sandbox.url,
    SENTRY_ACCESS_TOKEN: "sandbox-token",
    SENTRY_ORG: "acme",
    AUTOFIX_CONFIG: configPath,
    // SIGUSR2 → a full GC, so the steady-state heap samples show live memory. LOAD_NODE_OPTIONS adds more
    // (e.g. an --import that starts the inspector's profiler).
    NODE_OPTIONS:
      `--expose-gc --import ${GC_HOOK} --import ${LOOP_HOOK} ${process.env.LOAD_NODE_OPTIONS ?? ""}`.trim(),
  });
  const url = (await server.waitForStderr(/listening on (http:\/\/\S+)/))[1]!;
  const pid = server.child.pid!;
  const health = async () =>
    (await (await fetch(url.replace(/\/mcp$/, "/healthz"))).json()) as {
      sessions: number;
      memory: { heap_used_mb: number };
    };
  const issues = [
    DEMO.ordersIssueShortId,
    DEMO.storefrontIssueShortId,
    DEMO.paymentsIssueShortId,
    DEMO.perfIssueShortId,
  ];
  const out: string[] = [
    `HTTP transport load — sandbox Sentry latency ${LATENCY} ms; per session ${CALLS_PER_SESSION} get_issue calls, or 1 analyze_root_cause (demo repositories connected, runs stored); one server process`,
    "",
  ];
  out.push(
    "| tool | sessions | calls | throughput (calls/s) | p50 ms | p99 ms | errors | server RSS before → after connecting (MB) | MB per session |",
    "|---|---|---|---|---|---|---|---|---|",
  );
  // Warm-up: region discovery, JIT.
  const warm = await connect(url);
  await warm.callTool({ name: "get_issue", arguments: { issue: issues[0] } });
  await warm.callTool({ name: "analyze_root_cause", arguments: { issue: issues[0] } });
  await warm.close();

  const level = async (tool: string, n: number, calls: number) => {
    const before = rssOf(pid);
    const clients = await Promise.all(Array.from({ length: n }, () => connect(url)));
    const afterConnect = rssOf(pid);
    const times: number[] = [];
    let errors = 0;
    let firstError: string | null = null;
    const started = performance.now();
    await Promise.all(
      clients.map(async (client, i) => {
        for (let c = 0; c < calls; c++) {
          const t = performance.now();
          try {
            const r = await client.callTool({
              name: tool,
              arguments: { issue: issues[(i + c) % issues.length] },
            });
            if (r.isError) {
              errors++;
              firstError ??= JSON.stringify(r.content).slice(0, 300);
            }
          } catch (error) {
            errors++;
            firstError ??= String(error).slice(0, 300);
          }
          times.push(performance.now() - t);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    out.push(
      `| ${tool} | ${n} | ${times.length} | ${(times.length / seconds).toFixed(0)} | ${pct(times, 0.5).toFixed(0)} | ${pct(times, 0.99).toFixed(0)} | ${errors} | ${before.toFixed(0)} → ${afterConnect.toFixed(0)} | ${((afterConnect - before) / n).toFixed(2)} |`,
    );
    if (firstError) process.stderr.write(`${tool} × ${n} sessions, first error: ${firstError}\n`);
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  };
  if (PHASES.has("levels")) {
    for (const n of LEVELS) await level("get_issue", n, CALLS_PER_SESSION);
    for (const n of LEVELS) await level("analyze_root_cause", n, 1);
  }
  if (PHASES.has("calm")) out.push("", ...(await calmUnderLoad(url, server, pid, issues)));

  // Steady state: many calls over a few sessions; memory should level off, not climb.
  if (!PHASES.has("steady")) return finish(out, server, sandbox);
  const steady = await Promise.all(Array.from({ length: 20 }, () => connect(url)));
  const samples: number[] = [];
  const heap: number[] = [];
  let started = 0;
  let finished = 0;
  let steadyErrors = 0;
  const steadyStart = performance.now();
  await Promise.all(
    steady.map(async (client, i) => {
      while (started < STEADY_CALLS) {
        started++;
        const r = await client
          .callTool({ name: "get_issue", arguments: { issue: issues[(i + started) % issues.length] } })
          .catch(() => null);
        if (!r || r.isError) steadyErrors++;
        if (++finished % 1000 === 0) {
          process.kill(pid, "SIGUSR2");
          await new Promise((r) => setTimeout(r, 100));
          samples.push(rssOf(pid));
          heap.push((await health()).memory.heap_used_mb);
        }
      }
    }),
  );
  const steadySeconds = (performance.now() - steadyStart) / 1000;
  await Promise.all(steady.map((c) => c.close().catch(() => undefined)));
  out.push(
    "",
    `Steady state: ${STEADY_CALLS} calls over 20 sessions in ${steadySeconds.toFixed(1)} s (${(STEADY_CALLS / steadySeconds).toFixed(0)} calls/s, ${steadyErrors} errors); server RSS every 1,000 calls (MB): ${samples.map((s) => s.toFixed(0)).join(", ")}; V8 heap in use after a full GC (MB): ${heap.join(", ")}`,
  );

  // Idle expiry: sessions that go quiet are closed by the reaper (30 s here).
  if (!PHASES.has("idle")) return finish(out, server, sandbox);
  const idle = await Promise.all(Array.from({ length: 10 }, () => connect(url)));
  const open = (await health()).sessions;
  await new Promise((r) => setTimeout(r, 38_000));
  out.push(`Idle expiry: ${open} sessions open → ${(await health()).sessions} after 38 s idle (limit 30 s).`);
  await Promise.all(idle.map((c) => c.close().catch(() => undefined)));

  // Isolation: one session waits on a slow upstream call (3 s); the others keep their latency.
  if (!PHASES.has("isolation")) return finish(out, server, sandbox);
  const slowClient = await connect(url);
  const fastClients = await Promise.all(Array.from({ length: 10 }, () => connect(url)));
  sandbox.fail({ match: /\/issues\/PAYMENTS-1C\/$/, kind: "slow", delayMs: 3_000, times: 1 });
  const slowStart = performance.now();
  const slowCall = slowClient.callTool({
    name: "get_issue",
    arguments: { issue: DEMO.paymentsIssueShortId },
  });
  const fastTimes: number[] = [];
  await Promise.all(
    fastClients.map(async (c, i) => {
      for (let k = 0; k < 5; k++) {
        const t = performance.now();
        await c.callTool({ name: "get_issue", arguments: { issue: issues[(i + k) % 2] } });
        fastTimes.push(performance.now() - t);
      }
    }),
  );
  const fastDone = (performance.now() - slowStart) / 1000;
  await slowCall;
  out.push(
    `Isolation: while one call waited ${((performance.now() - slowStart) / 1000).toFixed(1)} s on a slow upstream, 50 calls in 10 other sessions finished in ${fastDone.toFixed(1)} s (p50 ${pct(fastTimes, 0.5).toFixed(0)} ms, p99 ${pct(fastTimes, 0.99).toFixed(0)} ms).`,
  );
  sandbox.faults.clear();
  await finish(out, server, sandbox);
}

async function finish(
  out: string[],
  server: ReturnType<typeof spawnCli>,
  sandbox: Awaited<ReturnType<typeof startSandbox>>,
): Promise<void> {
  process.stdout.write(`${out.join("\n")}\n`);
  await server.kill();
  await sandbox.close();
}

/**
 * A calm event loop under load: while CALM_ANALYSES analyze_root_cause calls run at once (one session each),
 * /healthz is asked every 25 ms and a cheap get_issue runs back to back in its own session. Reports their
 * latencies beside get_issue's on an idle server (the upstream's own latency), and the server's event-loop
 * delay over the phase.
 */
async function calmUnderLoad(
  url: string,
  server: ReturnType<typeof spawnCli>,
  pid: number,
  issues: string[],
): Promise<string[]> {
  let windows = 0;
  const loopDelay = async () => {
    process.kill(pid, "SIGURG");
    const line = await server.waitForStderr(new RegExp(`loop-delay#${++windows} (\\{[^\\n]*\\})`));
    return JSON.parse(line[1]!) as { p50: number; p99: number; max: number; samples: number };
  };
  const healthzUrl = url.replace(/\/mcp$/, "/healthz");
  const probe = await connect(url);
  const idle: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    await probe.callTool({ name: "get_issue", arguments: { issue: issues[i % issues.length] } });
    idle.push(performance.now() - t);
  }
  const clients = await Promise.all(Array.from({ length: CALM_ANALYSES }, () => connect(url)));
  await loopDelay();
  let running = true;
  const healthz: number[] = [];
  const getIssue: number[] = [];
  const probes = [
    (async () => {
      while (running) {
        const t = performance.now();
        await (await fetch(healthzUrl)).json();
        healthz.push(performance.now() - t);
        await new Promise((r) => setTimeout(r, 25));
      }
    })(),
    (async () => {
      for (let i = 0; running; i++) {
        const t = performance.now();
        await probe.callTool({ name: "get_issue", arguments: { issue: issues[i % issues.length] } });
        getIssue.push(performance.now() - t);
      }
    })(),
  ];
  let errors = 0;
  let firstError: string | null = null;
  const times: number[] = [];
  const started = performance.now();
  await Promise.all(
    clients.map(async (client, i) => {
      const t = performance.now();
      const r = await client
        .callTool({ name: "analyze_root_cause", arguments: { issue: issues[i % issues.length] } })
        .catch((error: unknown) => ({ isError: true, content: String(error) }));
      times.push(performance.now() - t);
      if (r.isError) {
        errors++;
        firstError ??= JSON.stringify(r.content).slice(0, 300);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  running = false;
  await Promise.all(probes);
  const delay = await loopDelay();
  if (firstError) process.stderr.write(`calm phase, first analyze_root_cause error: ${firstError}\n`);
  await Promise.all([probe, ...clients].map((c) => c.close().catch(() => undefined)));
  const ms = (x: number) => x.toFixed(0);
  const idleP50 = pct(idle, 0.5);
  return [
    `Calm under load: ${CALM_ANALYSES} analyze_root_cause calls at once finished in ${seconds.toFixed(1)} s (${errors} errors; p50 ${ms(pct(times, 0.5))} ms, p99 ${ms(pct(times, 0.99))} ms). Meanwhile:`,
    "",
    "| measure | p50 ms | p99 ms | max ms | samples | target |",
    "|---|---|---|---|---|---|",
    `| /healthz | ${ms(pct(healthz, 0.5))} | ${ms(pct(healthz, 0.99))} | ${ms(Math.max(...healthz))} | ${healthz.length} | p99 ≤ 50 |`,
    `| get_issue (idle server: p50 ${ms(idleP50)}) | ${ms(pct(getIssue, 0.5))} | ${ms(pct(getIssue, 0.99))} | ${ms(Math.max(...getIssue))} | ${getIssue.length} | p99 ≤ ${ms(idleP50 + 200)} (idle p50 + 200) |`,
    `| event-loop delay (monitorEventLoopDelay) | ${delay.p50} | ${delay.p99} | ${delay.max} | ${delay.samples} | — |`,
  ];
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : error}\n`);
  process.exit(1);
});
