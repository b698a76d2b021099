import { createHmac } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import Database from "better-sqlite3";
import type { PreparedScenario } from "../scenarios/setup.ts";
import { type Spawned, spawnCli } from "./spawn.ts";

/**
 * The background-handoff pipeline as users run it: the CLI over HTTP with automation on, a corpus
 * scenario's sandbox Sentry and repositories, and a fake coding-agent API — plus signed Sentry webhooks and
 * a read-only look at the run store, for the end-to-end and durability tests.
 */

export const SENTRY_SECRET = "sentry-client-secret-0123456789abcdef0123456789abcdef";
export const CURSOR_KEY = "key_fake_cursor_0000000000000000";
export const CURSOR_SECRET = "cursor-webhook-secret-0123456789abcdef";
export const MCP_TOKEN = "automation-e2e-token-0123456789";

/** A port that was free a moment ago: the server must keep the same URL across restarts (Cursor calls back). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface AutomationServer {
  base: string;
  dbPath: string;
  spawned: Spawned;
}

export function writeAutomationConfig(
  prepared: PreparedScenario,
  cursorUrl: string,
  extra: Record<string, unknown> = {},
): void {
  const file = JSON.parse(readFileSync(prepared.configPath, "utf8"));
  const config = {
    ...file,
    autoCreatePr: true,
    handoff: {
      targets: {
        cursor: { type: "cursor", secretEnv: "CURSOR_WEBHOOK_SECRET", apiUrl: cursorUrl },
      },
      defaultTarget: "cursor",
      postSentryComment: true,
    },
    // The corpus is dated around CORPUS_NOW while the server runs on the real clock: the recency rule is
    // unit-tested; here it must not make the tests expire.
    automation: { enabled: true, leaseSeconds: 5, actionability: { seenWithinDays: 36_500 }, ...extra },
  };
  writeFileSync(prepared.configPath, JSON.stringify(config, null, 2));
}

export async function startAutomationServer(
  prepared: PreparedScenario,
  port: number,
  env: Record<string, string> = {},
): Promise<AutomationServer> {
  const base = `http://127.0.0.1:${port}`;
  const dbPath = prepared.env.AUTOFIX_DB as string;
  const spawned = spawnCli(["--transport", "http", "--port", String(port)], {
    SENTRY_HOST: prepared.sandbox.url,
    SENTRY_ACCESS_TOKEN: "sandbox-token",
    SENTRY_ORG: "acme",
    AUTOFIX_CONFIG: prepared.configPath,
    AUTOFIX_DB: dbPath,
    AUTOFIX_HTTP_TOKEN: MCP_TOKEN,
    AUTOFIX_PUBLIC_URL: base,
    AUTOFIX_LOG_LEVEL: "debug",
    SENTRY_CLIENT_SECRET: SENTRY_SECRET,
    CURSOR_API_KEY: CURSOR_KEY,
    CURSOR_WEBHOOK_SECRET: CURSOR_SECRET,
    ...env,
  });
  await spawned.waitForStderr(/listening on http/);
  return { base, dbPath, spawned };
}

/** An `issue.created` delivery in Sentry's integration-platform shape, for an issue of the sandbox. */
export function issueCreated(issue: {
  id: string;
  shortId: string;
  project: string;
}): Record<string, unknown> {
  return {
    action: "created",
    actor: { id: "sentry", name: "Sentry", type: "application" },
    data: {
      issue: {
        id: issue.id,
        shortId: issue.shortId,
        title: "webhook payload title (the server reads the issue from Sentry)",
        level: "error",
        status: "unresolved",
        count: "1",
        project: { id: "1", slug: issue.project, name: issue.project },
        url: `https://sentry.io/api/0/organizations/acme/issues/${issue.id}/`,
        web_url: `https://acme.sentry.io/issues/${issue.id}/`,
      },
    },
    installation: { uuid: "7f0c2a8e-5b1d-4e8a-9c3f-2d6b4a1e0f99" },
  };
}

export async function postSentryWebhook(
  base: string,
  body: unknown,
  options: { requestId: string; resource?: string; secret?: string; timestamp?: number },
): Promise<{ status: number; body: Record<string, unknown> }> {
  const raw = JSON.stringify(body);
  const signature = createHmac("sha256", options.secret ?? SENTRY_SECRET)
    .update(raw)
    .digest("hex");
  const res = await fetch(`${base}/webhooks/sentry`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "sentry-hook-resource": options.resource ?? "issue",
      "sentry-hook-timestamp": String(options.timestamp ?? Math.floor(Date.now() / 1000)),
      "sentry-hook-signature": signature,
      "request-id": options.requestId,
    },
    body: raw,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Reads the run store without disturbing the server that writes it (WAL readers do not block writers). */
export function readStore<T>(dbPath: string, read: (db: Database.Database) => T): T {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

export const jobsOf = (dbPath: string) =>
  readStore(
    dbPath,
    (db) =>
      db
        .prepare("SELECT id, issue_id, state, step, run_id, reason, attempts FROM jobs ORDER BY created_at")
        .all() as Array<{
        id: string;
        issue_id: string;
        state: string;
        step: string;
        run_id: string | null;
        reason: string | null;
        attempts: number;
      }>,
  );

export async function waitFor<T>(
  what: string,
  probe: () => T | null | undefined | false,
  timeoutMs = 20_000,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function mcpClient(base: string): Promise<Client> {
  const client = new Client({ name: "automation-e2e", version: "1" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${MCP_TOKEN}` } },
    }),
  );
  return client;
}
