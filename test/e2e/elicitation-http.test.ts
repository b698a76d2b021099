import { mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SandboxHandle, startSandbox } from "../../src/sandbox/server.ts";
import { scenarioNamed } from "../helpers/session.ts";
import { BIN, type Spawned, spawnCli } from "../helpers/spawn.ts";
import { buildRepos } from "../scenarios/harness.ts";

/**
 * The question travels on the tool call's own stream over Streamable HTTP: a session whose client declared
 * elicitation is asked which repository serves S13's unconnected project and answers in the same call;
 * stateless HTTP never asks a 2025 client (no session to carry the answer back). A 2026-07-28 client is asked
 * with or without sessions: the call ends with input_required and its retry carries the answer.
 */

const scenario = scenarioNamed("s13");
const TOKEN = "e2e-elicit-token-0123456789";
let sandbox: SandboxHandle;
let dir: string;
let checkout: string;
const running: Spawned[] = [];

beforeAll(async () => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), "autofix-elicit-http-")));
  const built = await buildRepos(scenario, join(dir, "repos"));
  checkout = built.repos[0]!.path;
  sandbox = await startSandbox({ scenario: built.sentry });
  writeFileSync(join(dir, "autofix.json"), JSON.stringify({ allowedRepositories: [`${dir}/repos/*`] }));
});
afterAll(async () => {
  await Promise.all(running.map((s) => s.kill()));
  await sandbox?.close();
});

const serverEnv = (db: string) => ({
  SENTRY_HOST: sandbox.url,
  SENTRY_ACCESS_TOKEN: "sandbox-token",
  SENTRY_ORG: "acme",
  AUTOFIX_CONFIG: join(dir, "autofix.json"),
  AUTOFIX_DB: join(dir, db),
});

async function startHttp(args: string[], db: string): Promise<string> {
  const spawned = spawnCli(["--transport", "http", "--port", "0", ...args], {
    ...serverEnv(db),
    AUTOFIX_HTTP_TOKEN: TOKEN,
  });
  running.push(spawned);
  return (await spawned.waitForStderr(/listening on (http:\/\/\S+)/))[1]!;
}

function askingClient(url: string, asked: string[], modern = false): Promise<Client> {
  const headers = { authorization: `Bearer ${TOKEN}` };
  return answering(
    asked,
    modern,
    new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }),
  );
}

async function answering(
  asked: string[],
  modern: boolean,
  transport: StreamableHTTPClientTransport | StdioClientTransport,
): Promise<Client> {
  const info = { name: "e2e-elicit", version: "1" };
  const capabilities = { elicitation: { form: {} } };
  const client = modern
    ? new Client(info, { capabilities, versionNegotiation: { mode: { pin: "2026-07-28" } } })
    : new Client(info, { capabilities, supportedProtocolVersions: ["2025-11-25"] });
  client.setRequestHandler("elicitation/create", async (request) => {
    asked.push(request.params.message);
    return { action: "accept", content: { repository: checkout } };
  });
  await client.connect(transport);
  return client;
}

/** analyze_root_cause on S13's issue: its structured result. */
async function analyse(client: Client): Promise<any> {
  const result = await client.callTool({ name: "analyze_root_cause", arguments: { issue: scenario.issue } });
  return result.structuredContent;
}

describe("elicitation over Streamable HTTP", () => {
  it("asks in a session and continues the same call with the answer", async () => {
    const url = await startHttp([], "session.db");
    const asked: string[] = [];
    const client = await askingClient(url, asked);
    const out = await analyse(client);
    expect(asked).toHaveLength(1);
    expect(asked[0]).toContain("loyalty");
    expect(out.verdict).toBe("in_app");
    expect(out.candidates[0]).toMatchObject({ path: "app/services/points_calculator.rb" });
    await client.close();
  });

  it("asks a 2026-07-28 client over stateless HTTP too, and makes one run of the rounds", async () => {
    const url = await startHttp(["--stateless"], "modern.db");
    const asked: string[] = [];
    const client = await askingClient(url, asked, true);
    const out = await analyse(client);
    expect(asked).toHaveLength(1);
    expect(asked[0]).toContain("loyalty");
    expect(out.candidates[0]).toMatchObject({ path: "app/services/points_calculator.rb" });
    const runs = await client.callTool({ name: "get_run", arguments: {} });
    expect((runs.structuredContent as any).runs).toHaveLength(1);
    await client.close();
  });

  it("never asks a 2025 client over stateless HTTP", async () => {
    const url = await startHttp(["--stateless"], "stateless.db");
    const asked: string[] = [];
    const client = await askingClient(url, asked);
    const out = await analyse(client);
    expect(asked).toEqual([]);
    expect(out.verdict).toBe("unknown");
    await client.close();
  });
});

describe("elicitation over stdio", () => {
  it.each([
    ["2025-11-25", false],
    ["2026-07-28", true],
  ] as const)("asks a %s client and continues with the answer", async (era, modern) => {
    const asked: string[] = [];
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, "--log-level", "warn"],
      env: { PATH: process.env.PATH ?? "", HOME: dir, ...serverEnv(`stdio-${era}.db`) },
      stderr: "pipe",
    });
    const client = await answering(asked, modern, transport);
    try {
      const out = await analyse(client);
      expect(asked).toHaveLength(1);
      expect(out.candidates[0]).toMatchObject({ path: "app/services/points_calculator.rb" });
    } finally {
      await client.close();
    }
  });
});
