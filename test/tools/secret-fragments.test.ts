import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SandboxHandle, startSandbox } from "../../src/sandbox/server.ts";
import { NOW as KINDS_NOW, kindsScenario } from "../fixtures/kinds.ts";
import { connect, testContext } from "../helpers/context.ts";

/**
 * The server's own secrets, planted in Sentry data behind enough padding that a formatter's cut lands inside
 * them: no 8-character piece of any of them may reach a tool's output (text or structured), through a real
 * MCP client.
 */
const GITHUB_TOKEN = "CanaryGithubTokenQ7x0123456789abcdefABCD";
const HOOK_SECRET = "CanaryHookSecretW3z0123456789abcdefABCDE";

let sandbox: SandboxHandle;
let context: ReturnType<typeof testContext>;
let session: Awaited<ReturnType<typeof connect>>;

beforeAll(async () => {
  const scenario = kindsScenario();
  const secrets = scenario.issues.find((i) => i.issue.shortId === "KINDS-SECRETS")!;
  const entries = secrets.events[0]!.entries as Array<{ type: string; data: { values?: unknown[] } }>;
  entries
    .find((e) => e.type === "breadcrumbs")!
    .data.values!.push({
      timestamp: new Date(KINDS_NOW - 5000).toISOString(),
      type: "default",
      category: "log",
      level: "info",
      message: `${"B".repeat(130)}${GITHUB_TOKEN}`,
    });
  scenario.logs = [
    {
      "sentry.item_id": "leak-1",
      timestamp: new Date(KINDS_NOW - 2000).toISOString(),
      message: `upstream refused ${"C".repeat(170)}${HOOK_SECRET} and more after it`,
      severity: "error",
      trace: "ab".repeat(16),
      project: "backend",
    },
  ];
  sandbox = await startSandbox({ scenario });
  context = testContext({
    sentryUrl: sandbox.url,
    now: KINDS_NOW,
    env: { GITHUB_TOKEN, HOOK_SECRET },
  });
  // The webhook secret is one of the server's secrets only once a target names it.
  context.secrets = [...context.secrets, HOOK_SECRET];
  session = await connect(context);
});
afterAll(async () => {
  await session?.close();
  await context?.close();
  await sandbox?.close();
});

function pieces(secret: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 8 <= secret.length; i++) out.push(secret.slice(i, i + 8));
  return out;
}

describe("secrets are scrubbed before any cut", () => {
  it("leaves no 8-character piece of a token in get_issue, search_logs or get_run", async () => {
    const results = [
      await session.client.callTool({
        name: "get_issue",
        arguments: { issue: "KINDS-SECRETS", detail: "full" },
      }),
      await session.client.callTool({ name: "search_logs", arguments: { query: "upstream" } }),
    ];
    const rc = await session.client.callTool({
      name: "analyze_root_cause",
      arguments: { issue: "KINDS-SECRETS" },
    });
    results.push(rc);
    const runId = (rc.structuredContent as { run_id?: string } | undefined)?.run_id;
    if (runId) results.push(await session.client.callTool({ name: "get_run", arguments: { run_id: runId } }));
    const everything = JSON.stringify(results);
    expect(everything).toContain("BBBBBBBB");
    expect(everything).toContain("CCCCCCCC");
    for (const secret of [GITHUB_TOKEN, HOOK_SECRET])
      for (const piece of pieces(secret)) expect(everything, `piece ${piece} leaked`).not.toContain(piece);
  });
});
