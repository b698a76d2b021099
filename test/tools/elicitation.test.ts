import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import {
  type ElicitRequest,
  ElicitRequestSchema,
  type ElicitResult,
} from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Context } from "../../src/context.ts";
import { type SandboxHandle, startSandbox } from "../../src/sandbox/server.ts";
import { createServer } from "../../src/server.ts";
import { DIST_BIN, ensureBuilt } from "../helpers/build.ts";
import { testContext } from "../helpers/context.ts";
import { scenarioNamed } from "../helpers/session.ts";
import { type BuiltScenario, buildRepos } from "../scenarios/harness.ts";
import { CORPUS_NOW } from "../scenarios/types.ts";

/**
 * Asking instead of guessing (MCP elicitation), through a real client that declares the capability and
 * answers with a form handler: which repository serves a project nothing connects (S13's loyalty service,
 * whose checkout exists but is not configured), which of two files a frame means, and what changed when
 * the evidence is thin. Clients without the capability are never asked.
 */

type Params = ElicitRequest["params"];
type Reply = (params: Params) => ElicitResult;

const scenario = scenarioNamed("s13");
const REPO = "acme/loyalty-service";
let dir: string;
let built: BuiltScenario;
let sandbox: SandboxHandle;
let checkout: string;

beforeAll(async () => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), "autofix-elicit-")));
  built = await buildRepos(scenario, join(dir, "repos"));
  sandbox = await startSandbox({ scenario: built.sentry, latencyMs: 0 });
  checkout = built.repos.find((r) => r.name === REPO)!.path;
});
afterAll(async () => {
  await sandbox?.close();
});

/** A context whose config file is `file`, with its runs in a database of its own. */
function contextWith(name: string, file: Record<string, unknown>) {
  const configPath = join(dir, `${name}.json`);
  writeFileSync(configPath, JSON.stringify(file));
  const db = join(dir, `${name}.db`);
  const context = testContext({
    sentryUrl: sandbox.url,
    now: CORPUS_NOW,
    env: { AUTOFIX_CONFIG: configPath, AUTOFIX_DB: db },
  });
  return { context, db };
}

/** A client that declares form elicitation and answers every question with `reply` (or none at all). */
async function clientFor(context: Context, reply: Reply | null) {
  const server = createServer(context);
  const [a, b] = InMemoryTransport.createLinkedPair();
  const client = new Client(
    { name: "test-client", version: "1.0.0" },
    { capabilities: reply ? { elicitation: { form: {} } } : {} },
  );
  const asked: Params[] = [];
  if (reply)
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request.params);
      return reply(request.params);
    });
  await Promise.all([server.connect(b), client.connect(a)]);
  await client.listTools();
  const analyse = async () => {
    const result = await client.callTool({
      name: "analyze_root_cause",
      arguments: { issue: scenario.issue },
    });
    expect(result.isError).toBeFalsy();
    return result.structuredContent as any;
  };
  return {
    asked,
    analyse,
    close: async () => {
      await client.close();
      await server.close();
    },
  };
}

const accept = (content: Record<string, string>) => (): ElicitResult => ({ action: "accept", content });

describe("which repository serves the project", () => {
  // The allowlist admits the sample checkouts by their path; nothing configures the loyalty project.
  const file = () => ({ allowedRepositories: [`${dir}/repos/*`, "acme/*"] });

  it("asks, and the answered checkout yields ranked candidates in that repository in the same call", async () => {
    const { context } = contextWith("answer", file());
    const session = await clientFor(context, accept({ repository: checkout }));
    try {
      const out = await session.analyse();
      expect(session.asked).toHaveLength(1);
      const question = session.asked[0]! as any;
      expect(question.message).toContain("loyalty");
      expect(question.requestedSchema).toEqual({
        type: "object",
        properties: {
          repository: {
            type: "string",
            title: "Repository",
            description: "Absolute path of a local git checkout, or GitHub owner/name",
            maxLength: 1000,
          },
        },
        required: ["repository"],
      });
      expect(out.verdict).toBe("in_app");
      expect(out.candidates[0]).toMatchObject({
        repo: "acme__loyalty-service",
        path: "app/services/points_calculator.rb",
        function: "calculate",
      });
      expect(out.notes.join("\n")).toContain("as you answered");

      // The answer is remembered for the project: the next analysis does not ask.
      const again = await session.analyse();
      expect(session.asked).toHaveLength(1);
      expect(again.candidates[0].path).toBe("app/services/points_calculator.rb");
      expect(again.notes.join("\n")).toMatch(/serves loyalty, as answered on \d{4}-\d{2}-\d{2}/);
      expect(again.notes.join("\n")).toContain("autofix-mcp --forget-repo loyalty");
      expect(context.store().answers.get("acme", "loyalty")).toMatchObject({
        repository: checkout,
        kind: "path",
      });
    } finally {
      await session.close();
      await context.close();
    }
  });

  it("forgets the answer with --forget-repo, and then asks again", async () => {
    const { context, db } = contextWith("forget", file());
    const session = await clientFor(context, accept({ repository: checkout }));
    try {
      await session.analyse();
      expect(session.asked).toHaveLength(1);
      ensureBuilt();
      const printed = execFileSync(process.execPath, [DIST_BIN, "--forget-repo", "loyalty"], {
        env: { PATH: process.env.PATH ?? "", HOME: dir, AUTOFIX_DB: db },
        encoding: "utf8",
      });
      expect(printed).toContain("Forgot the repository answered for loyalty");
      const out = await session.analyse();
      expect(session.asked).toHaveLength(2);
      expect(out.candidates[0].path).toBe("app/services/points_calculator.rb");
    } finally {
      await session.close();
      await context.close();
    }
  });

  it("declining gives today's result, and remembers nothing", async () => {
    const { context } = contextWith("decline", file());
    const session = await clientFor(context, () => ({ action: "decline" }));
    try {
      const out = await session.analyse();
      expect(session.asked).toHaveLength(1);
      expect(out.verdict).toBe("unknown");
      expect(out.candidates.every((c: any) => c.path === null)).toBe(true);
      expect(out.notes.join("\n")).toContain("No repository is connected for project loyalty");
      expect(context.store().answers.get("acme", "loyalty")).toBeNull();
    } finally {
      await session.close();
      await context.close();
    }
  });

  it("says why a bad answer was not used, without failing the call", async () => {
    const notCheckout = join(dir, "not-a-checkout");
    mkdirSync(notCheckout, { recursive: true });
    const cases: Array<[string, RegExp]> = [
      [notCheckout, /not a git checkout/],
      ["evil/exfiltrate", /does not admit evil\/exfiltrate/],
      ["../../etc", /absolute path of a local git checkout or a GitHub owner\/name/],
    ];
    for (const [answer, reason] of cases) {
      const { context } = contextWith(`bad-${cases.findIndex((c) => c[0] === answer)}`, file());
      const session = await clientFor(context, accept({ repository: answer }));
      try {
        const out = await session.analyse();
        expect(out.verdict).toBe("unknown");
        expect(out.notes.join("\n")).toMatch(reason);
        expect(context.store().answers.get("acme", "loyalty")).toBeNull();
      } finally {
        await session.close();
        await context.close();
      }
    }
  });

  it("refuses a checkout the allowlist does not admit", async () => {
    const { context } = contextWith("not-allowed", { allowedRepositories: ["acme/*"] });
    const session = await clientFor(context, accept({ repository: checkout }));
    try {
      const out = await session.analyse();
      expect(session.asked).toHaveLength(1);
      expect(out.notes.join("\n")).toContain("admits neither the path");
      expect(out.verdict).toBe("unknown");
    } finally {
      await session.close();
      await context.close();
    }
  });

  it("never asks a client without elicitation, and says what to configure", async () => {
    const { context } = contextWith("no-capability", file());
    const session = await clientFor(context, null);
    try {
      const out = await session.analyse();
      expect(out.verdict).toBe("unknown");
      expect(out.notes.join("\n")).toContain('"projects": ["loyalty"]');
      expect(context.logLines.join("\n")).not.toContain("question");
    } finally {
      await session.close();
      await context.close();
    }
  });
});
