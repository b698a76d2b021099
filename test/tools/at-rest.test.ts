import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SandboxHandle, startSandbox } from "../../src/sandbox/server.ts";
import { CANARY_TOKEN, kindsScenario } from "../fixtures/kinds.ts";
import { connect, testContext } from "../helpers/context.ts";

/**
 * The run database is Sentry data at rest: created private to the user, and what it stores is scrubbed.
 * Driven through a real MCP client against an on-disk database.
 */
const GITHUB_TOKEN = "CanaryAtRestGithubToken0123456789abcdef";
let sandbox: SandboxHandle;
let context: ReturnType<typeof testContext>;
let session: Awaited<ReturnType<typeof connect>>;
let dir: string;
let db: string;

beforeAll(async () => {
  sandbox = await startSandbox({ scenario: kindsScenario() });
  dir = join(mkdtempSync(join(tmpdir(), "autofix-at-rest-")), "state", "autofix");
  db = join(dir, "runs.db");
  context = testContext({ sentryUrl: sandbox.url, env: { AUTOFIX_DB: db, GITHUB_TOKEN } });
  session = await connect(context);
});
afterAll(async () => {
  await session?.close();
  await context?.close();
  await sandbox?.close();
});

describe("runs at rest", () => {
  it("creates the database private to the user and stores evidence and feedback scrubbed", async () => {
    const rc = await session.client.callTool({
      name: "analyze_root_cause",
      arguments: { issue: "KINDS-SECRETS", context: `the deploy used password=hunter2 and ${GITHUB_TOKEN}` },
    });
    expect(rc.isError).toBeFalsy();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(db).mode & 0o777).toBe(0o600);
    const raw = ["", "-wal"].map((suffix) => {
      try {
        return readFileSync(`${db}${suffix}`).toString("latin1");
      } catch {
        return "";
      }
    });
    const stored = raw.join("\n");
    expect(stored).toContain("KINDS-SECRETS");
    for (const secret of [CANARY_TOKEN, "hunter2", "abc123secretvalue", GITHUB_TOKEN])
      expect(stored, secret).not.toContain(secret);
  });
});
