import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SandboxHandle, startSandbox } from "../../src/sandbox/server.ts";
import { kindsScenario } from "../fixtures/kinds.ts";
import { type Spawned, spawnCli } from "../helpers/spawn.ts";

const TOKEN = "e2e-http-token-0123456789";
let sandbox: SandboxHandle;
const running: Spawned[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ scenario: kindsScenario() });
});
afterAll(async () => {
  await Promise.all(running.map((s) => s.kill()));
  await sandbox.close();
});

async function startHttp(args: string[] = [], env: Record<string, string> = {}): Promise<string> {
  const spawned = spawnCli(["--transport", "http", "--port", "0", ...args], {
    SENTRY_HOST: sandbox.url,
    SENTRY_ACCESS_TOKEN: "sandbox-token",
    SENTRY_ORG: "acme",
    ...env,
  });
  running.push(spawned);
  const match = await spawned.waitForStderr(/listening on (http:\/\/\S+)/);
  return match[1]!;
}

const INIT = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
};
const HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" };

async function connectClient(url: string, token?: string): Promise<Client> {
  const client = new Client({ name: "e2e-http", version: "1" });
  const transport = new StreamableHTTPClientTransport(
    new URL(url),
    token ? { requestInit: { headers: { authorization: `Bearer ${token}` } } } : undefined,
  );
  await client.connect(transport);
  return client;
}

describe("the CLI over Streamable HTTP", () => {
  let url: string;
  beforeAll(async () => {
    url = await startHttp([], { AUTOFIX_HTTP_TOKEN: TOKEN });
  });

  it("runs initialize → tools/list → tools/call in a session", async () => {
    const client = await connectClient(url, TOKEN);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain("get_issue");
    const result = await client.callTool({ name: "get_issue", arguments: { issue: "KINDS-MSG" } });
    expect(result.isError).toBeFalsy();
    expect(JSON.stringify(result.content)).toContain("Cache miss storm detected");
    await client.close();
  });

  it("answers 401 without the token and with a wrong one", async () => {
    const none = await fetch(url, { method: "POST", headers: HEADERS, body: JSON.stringify(INIT) });
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toContain("Bearer");
    expect(((await none.json()) as any).error.code).toBe(-32001);
    const wrong = await fetch(url, {
      method: "POST",
      headers: { ...HEADERS, authorization: "Bearer nope" },
      body: JSON.stringify(INIT),
    });
    expect(wrong.status).toBe(401);
  });

  it("answers 403 to a foreign Origin, before looking at the token", async () => {
    const res = await fetch(url, {
      method: "POST",
      headers: { ...HEADERS, origin: "https://evil.example", authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(INIT),
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as any).error.message).toContain("Origin");
  });

  it("answers 404 to an unknown session and 400 to a request without one", async () => {
    const auth = { ...HEADERS, authorization: `Bearer ${TOKEN}` };
    const unknown = await fetch(url, {
      method: "POST",
      headers: { ...auth, "mcp-session-id": "00000000-0000-0000-0000-000000000000" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
    });
    expect(unknown.status).toBe(404);
    const noSession = await fetch(url, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
    });
    expect(noSession.status).toBe(400);
  });

  it("rejects oversized and malformed bodies", async () => {
    const auth = { ...HEADERS, authorization: `Bearer ${TOKEN}` };
    const big = await fetch(url, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ ...INIT, pad: "x".repeat(2 * 1024 * 1024) }),
    });
    expect(big.status).toBe(413);
    const hugeHeader = await fetch(url, {
      method: "POST",
      headers: { ...auth, "x-padding": "x".repeat(32 * 1024) },
      body: JSON.stringify(INIT),
    });
    expect(hugeHeader.status).toBe(431);
    const junk = await fetch(url, { method: "POST", headers: auth, body: "{not json" });
    expect(junk.status).toBe(400);
    expect(((await junk.json()) as any).error.code).toBe(-32700);
  });

  it("serves /healthz without a token", async () => {
    const res = await fetch(url.replace(/\/mcp$/, "/healthz"));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok", name: "autofix-mcp" });
  });

  it("ends a session on DELETE", async () => {
    const client = await connectClient(url, TOKEN);
    const transport = client.transport as StreamableHTTPClientTransport;
    const sessionId = transport.sessionId!;
    await transport.terminateSession();
    const after = await fetch(url, {
      method: "POST",
      headers: { ...HEADERS, authorization: `Bearer ${TOKEN}`, "mcp-session-id": sessionId },
      body: JSON.stringify({ jsonrpc: "2.0", id: 3, method: "tools/list" }),
    });
    expect(after.status).toBe(404);
  });
});

describe("stateless HTTP", () => {
  it("answers each request on its own", async () => {
    const url = await startHttp(["--stateless"]);
    const client = await connectClient(url);
    const result = await client.callTool({ name: "get_issue", arguments: { issue: "KINDS-CSP" } });
    expect(JSON.stringify(result.content)).toContain("Content-Security-Policy");
    const get = await fetch(url, { method: "GET", headers: { accept: "text/event-stream" } });
    expect(get.status).toBe(405);
    await client.close();
  });
});

describe("stateless HTTP with progress", () => {
  it("streams progress notifications when the client sent a progress token, and answers plain JSON otherwise", async () => {
    const url = await startHttp(["--stateless"]);
    const client = await connectClient(url);
    const progress: string[] = [];
    const result = await client.callTool(
      { name: "analyze_root_cause", arguments: { issue: "KINDS-GROUP" } },
      { onprogress: (p) => progress.push(p.message ?? "") },
    );
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    expect(progress).toContain("reading the issue and its event");
    expect(progress.at(-1)).toBe("root cause ready");
    await client.close();

    const call = (meta: Record<string, unknown>) =>
      fetch(url, {
        method: "POST",
        headers: { ...HEADERS, "mcp-protocol-version": "2025-06-18" },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 7,
          method: "tools/call",
          params: { name: "get_issue", arguments: { issue: "KINDS-CSP" }, ...meta },
        }),
      });
    const plain = await call({});
    expect(plain.headers.get("content-type")).toContain("application/json");
    expect(((await plain.json()) as any).result.content[0].text).toContain("Content-Security-Policy");
    const streamed = await call({ _meta: { progressToken: "p1" } });
    expect(streamed.headers.get("content-type")).toContain("text/event-stream");
    expect(await streamed.text()).toContain("Content-Security-Policy");
  });
});

describe("binding beyond loopback", () => {
  it("refuses to start without a token", async () => {
    const spawned = spawnCli(["--transport", "http", "--port", "0", "--host", "0.0.0.0"], {
      SENTRY_HOST: sandbox.url,
    });
    running.push(spawned);
    const code = await new Promise<number | null>((r) => spawned.child.once("exit", (c) => r(c)));
    expect(code).toBe(2);
    expect(spawned.stderr()).toContain("AUTOFIX_HTTP_TOKEN");
  });

  it("rejects a Host header that is not allowed", async () => {
    const url = await startHttp(["--host", "0.0.0.0", "--allowed-hosts", "mcp.example.com"], {
      AUTOFIX_HTTP_TOKEN: TOKEN,
    });
    const port = new URL(url).port;
    const { request } = await import("node:http");
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port,
          path: "/mcp",
          method: "POST",
          headers: { ...HEADERS, host: "rebind.attacker.example", authorization: `Bearer ${TOKEN}` },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end(JSON.stringify(INIT));
    });
    expect(status).toBe(403);
  });
});

describe("idle sessions", () => {
  it("closes a session that goes quiet, but never one that is waiting for a tool call", async () => {
    const dir = mkdtempSync(join(tmpdir(), "autofix-idle-"));
    const config = join(dir, "autofix.json");
    writeFileSync(config, JSON.stringify({ http: { sessionIdleMinutes: 0.02 } })); // 1.2 s
    const base = (await startHttp([], { AUTOFIX_CONFIG: config })).replace(/\/mcp$/, "");
    const sessions = async () =>
      ((await (await fetch(`${base}/healthz`)).json()) as { sessions: number }).sessions;

    const quiet = await connectClient(`${base}/mcp`);
    const busy = await connectClient(`${base}/mcp`);
    expect(await sessions()).toBe(2);
    // The busy session's call waits 3 s on Sentry: longer than the idle limit. Its second copy (sent
    // after 1.5 s) is as slow, so the call does take 3 s.
    sandbox.fail({ match: /\/issues\/KINDS-MSG\/$/, kind: "slow", delayMs: 3_000, times: 2 });
    const call = await busy.callTool({ name: "get_issue", arguments: { issue: "KINDS-MSG" } });
    expect(call.isError).toBeFalsy();
    expect(await sessions()).toBe(1);
    await expect(quiet.listTools()).rejects.toThrow(/Session not found|404/);
    await busy.close();
    await quiet.close().catch(() => undefined);
  });
});
