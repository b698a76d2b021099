import { mkdtempSync, writeFileSync } from "node:fs";
import { connect as netConnect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createContext } from "../../src/context.ts";
import { createLogger } from "../../src/log.ts";
import { type SandboxHandle, startSandbox } from "../../src/sandbox/server.ts";
import { type HttpHandle, serveHttp } from "../../src/transports/http.ts";
import { kindsScenario } from "../fixtures/kinds.ts";
import { issueCreated, postSentryWebhook, SENTRY_SECRET } from "../helpers/automation.ts";
import { testConfig } from "../helpers/context.ts";

/**
 * What an unauthenticated sender can make the HTTP transport hold: slow or oversized webhook bodies, too
 * many of them at once, bodies for disabled routes, sessions without end, and replayed Sentry deliveries.
 * Raw sockets against the real transport on 127.0.0.1.
 */
let sandbox: SandboxHandle;
let context: ReturnType<typeof createContext>;
let http: HttpHandle;
let port: number;
const sockets: Socket[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ scenario: kindsScenario() });
  const dir = mkdtempSync(join(tmpdir(), "autofix-http-limits-"));
  const configPath = join(dir, "autofix.json");
  writeFileSync(
    configPath,
    JSON.stringify({
      http: { maxSessions: 3, bodyTimeoutSeconds: 1 },
      automation: { enabled: true },
      handoff: {
        targets: { hook: { type: "webhook", url: "https://hooks.example.com/x", secretEnv: "HOOK_SECRET" } },
      },
    }),
  );
  const config = testConfig({
    sentryUrl: sandbox.url,
    argv: ["--transport", "http", "--port", "0"],
    env: {
      AUTOFIX_CONFIG: configPath,
      AUTOFIX_DB: join(dir, "runs.db"),
      SENTRY_CLIENT_SECRET: SENTRY_SECRET,
      HOOK_SECRET: "hook-secret-0123456789abcdef0123456789ab",
    },
  });
  context = createContext(config, createLogger("silent"));
  http = await serveHttp(context);
  port = http.port;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await http?.close();
  await context?.close();
  await sandbox?.close();
});

/** Sends the request head and `sent` bytes of a body of `length`; resolves with the status line, or null on timeout. */
function partial(
  path: string,
  length: number,
  sent: string,
): { socket: Socket; status: Promise<number | null> } {
  const socket = netConnect(port, "127.0.0.1");
  sockets.push(socket);
  socket.on("error", () => undefined);
  socket.write(
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: ${length}\r\n\r\n${sent}`,
  );
  const status = new Promise<number | null>((resolve) => {
    let data = "";
    const timer = setTimeout(() => resolve(null), 4000);
    socket.on("data", (chunk) => {
      data += chunk.toString("latin1");
      const m = /^HTTP\/1\.1 (\d{3})/.exec(data);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    socket.on("close", () => resolve(null));
  });
  return { socket, status };
}

describe("unauthenticated bodies", () => {
  it("answers a disabled webhook route before reading the body", async () => {
    const { status } = partial("/webhooks/cursor", 900_000, "{");
    expect(await status).toBe(503);
  });

  it("refuses a webhook body over the webhook limit at once", async () => {
    const { status } = partial("/webhooks/sentry", 300_000, "{");
    expect(await status).toBe(413);
  });

  it("closes a trickling webhook body, and a trickling /mcp body, at the body deadline", async () => {
    for (const path of ["/webhooks/webhook", "/mcp"]) {
      const { socket, status } = partial(path, 1000, "{");
      const trickle = setInterval(() => socket.write(" "), 100);
      const started = Date.now();
      try {
        expect(await status, path).toBe(408);
        expect(Date.now() - started).toBeLessThan(3000);
      } finally {
        clearInterval(trickle);
      }
    }
  });

  it("reads only a few webhook bodies at a time", async () => {
    const stalled = Array.from({ length: 16 }, () => partial("/webhooks/sentry", 1000, "{"));
    await new Promise((r) => setTimeout(r, 200));
    const { status } = partial("/webhooks/sentry", 1000, "{");
    expect(await status).toBe(503);
    for (const s of stalled) s.socket.destroy();
  });
});

describe("sessions and replays", () => {
  it("refuses a session past http.maxSessions with 503 and says what to do", async () => {
    const init = () =>
      fetch(http.url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "initialize",
          params: {
            protocolVersion: "2025-06-18",
            capabilities: {},
            clientInfo: { name: "t", version: "1" },
          },
        }),
      });
    const opened = [];
    for (let i = 0; i < 3; i++) {
      const res = await init();
      expect(res.status).toBe(200);
      await res.body?.cancel();
      opened.push(res.headers.get("mcp-session-id"));
    }
    expect(http.sessionCount()).toBe(3);
    const refused = await init();
    expect(refused.status).toBe(503);
    expect(await refused.text()).toContain("http.maxSessions");
    const close = await fetch(http.url, { method: "DELETE", headers: { "mcp-session-id": opened[0]! } });
    expect(close.status).toBeLessThan(300);
    const again = await init();
    expect(again.status).toBe(200);
    await again.body?.cancel();
  });

  it("takes a replayed Sentry delivery (new Request-ID, fresh timestamp) as a duplicate", async () => {
    const base = new URL(http.url).origin;
    const body = issueCreated({ id: "9011", shortId: "KINDS-SECRETS", project: "backend" });
    const first = await postSentryWebhook(base, body, { requestId: "delivery-1" });
    expect(first.status).toBe(202);
    const replay = await postSentryWebhook(base, body, {
      requestId: "attacker-2",
      timestamp: Math.floor(Date.now() / 1000) + 1,
    });
    expect(replay).toMatchObject({ status: 200, body: { status: "duplicate_delivery" } });
  });
});
