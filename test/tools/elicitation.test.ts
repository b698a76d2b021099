import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  Client,
  type ElicitRequest,
  type ElicitResult,
  InMemoryTransport,
  StreamableHTTPClientTransport,
} from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Context } from "../../src/context.ts";
import { type SandboxHandle, startSandbox } from "../../src/sandbox/server.ts";
import { createServer } from "../../src/server.ts";
import { serveHttp } from "../../src/transports/http.ts";
import { DIST_BIN, ensureBuilt } from "../helpers/build.ts";
import { testContext } from "../helpers/context.ts";
import { scenarioNamed } from "../helpers/session.ts";
import { type BuiltScenario, buildRepos } from "../scenarios/harness.ts";
import { prepareScenario } from "../scenarios/setup.ts";
import { CORPUS_NOW } from "../scenarios/types.ts";

/**
 * Asking instead of guessing (MCP elicitation), through a real client that declares the capability and
 * answers with a form handler: which repository serves a project nothing connects (S13's loyalty service,
 * whose checkout exists but is not configured), which of two files a frame means, and what changed when
 * the evidence is thin. Clients without the capability are never asked. Both protocol eras: a 2025 session
 * (in memory), where the form is a request inside the call, and a 2026-07-28 client (over HTTP), where the call
 * ends with input_required and the client's retry carries the answer, which runs the stage again.
 */

type Era = "2025-11-25" | "2026-07-28";
const ERAS: Era[] = ["2025-11-25", "2026-07-28"];

type Params = ElicitRequest["params"];
type Reply = (params: Params) => ElicitResult | Promise<ElicitResult>;

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
function contextWith(name: string, file: Record<string, unknown>, deadlineMs?: number) {
  const configPath = join(dir, `${name}.json`);
  writeFileSync(configPath, JSON.stringify(file));
  const db = join(dir, `${name}.db`);
  const context = testContext({
    sentryUrl: sandbox.url,
    now: CORPUS_NOW,
    env: { AUTOFIX_CONFIG: configPath, AUTOFIX_DB: db },
    ...(deadlineMs ? { deadlineMs } : {}),
  });
  return { context, db };
}

/** A client that declares form elicitation and answers every question with `reply` (or none at all). */
async function clientFor(context: Context, reply: Reply | null, era: Era = "2025-11-25") {
  const capabilities = reply ? { elicitation: { form: {} } } : {};
  const info = { name: "test-client", version: "1.0.0" };
  const client =
    era === "2026-07-28"
      ? new Client(info, { capabilities, versionNegotiation: { mode: { pin: era } } })
      : new Client(info, { capabilities, supportedProtocolVersions: [era] });
  const asked: Params[] = [];
  if (reply)
    client.setRequestHandler("elicitation/create", async (request) => {
      asked.push(request.params);
      return reply(request.params);
    });
  let stop: () => Promise<void>;
  if (era === "2026-07-28") {
    // Per request over HTTP, as 2026-07-28 is served: no session holds the call open for the answer.
    const config = { ...context.config, http: { ...context.config.http, port: 0 } };
    const http = await serveHttp({ ...context, config });
    await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${http.port}/mcp`)));
    stop = () => http.close();
  } else {
    const server = createServer(context);
    const [a, b] = InMemoryTransport.createLinkedPair();
    await Promise.all([server.connect(b), client.connect(a)]);
    stop = () => server.close();
  }
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
    client,
    asked,
    analyse,
    close: async () => {
      await client.close();
      await stop();
    },
  };
}

const accept = (content: Record<string, string>) => (): ElicitResult => ({ action: "accept", content });

describe("which repository serves the project", () => {
  // The allowlist admits the sample checkouts by their path; nothing configures the loyalty project.
  const file = () => ({ allowedRepositories: [`${dir}/repos/*`, "acme/*"] });

  it.each(ERAS)(
    "asks, and the answered checkout yields ranked candidates in that repository in the same call (%s)",
    async (era) => {
      const { context } = contextWith(`answer-${era}`, file());
      const session = await clientFor(context, accept({ repository: checkout }), era);
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
    },
  );

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

  it.each(ERAS)("does not count the person's time against the call's deadline (%s)", async (era) => {
    const { context } = contextWith(`slow-${era}`, file(), 1_000);
    const slow = async () => {
      await new Promise((r) => setTimeout(r, 1_600));
      return { action: "accept", content: { repository: checkout } } as ElicitResult;
    };
    const session = await clientFor(context, slow, era);
    try {
      const out = await session.analyse();
      expect(out.candidates[0].path).toBe("app/services/points_calculator.rb");
      expect(out.notes.join("\n")).not.toMatch(/deadline/);
    } finally {
      await session.close();
      await context.close();
    }
  });

  it.each(ERAS)("declining gives today's result, and remembers nothing (%s)", async (era) => {
    const { context } = contextWith(`decline-${era}`, file());
    const session = await clientFor(context, () => ({ action: "decline" }), era);
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

  it.each(ERAS)("never asks a client without elicitation, and says what to configure (%s)", async (era) => {
    const { context } = contextWith(`no-capability-${era}`, file());
    const session = await clientFor(context, null, era);
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

describe("which file an ambiguous frame means", () => {
  const DUPLICATE = "vendor/legacy/app/services/points_calculator.rb";
  let monorepo: string;

  beforeAll(async () => {
    // A second copy of the throwing file under another package: the frame's path suffix matches both.
    const again = await buildRepos(scenario, join(dir, "mono"));
    monorepo = again.repos.find((r) => r.name === REPO)!.path;
    mkdirSync(join(monorepo, "vendor/legacy/app/services"), { recursive: true });
    writeFileSync(join(monorepo, DUPLICATE), "class PointsCalculator\nend\n");
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t.invalid", ...args], { cwd: monorepo });
    git("add", "-A");
    git("commit", "--quiet", "--no-gpg-sign", "--no-verify", "-m", "vendor the legacy calculator");
  });
  const file = () => ({ repositories: [{ name: REPO, path: monorepo, projects: ["loyalty"] }] });

  it.each(ERAS)("asks which of the files the frame means, and ranks the chosen one (%s)", async (era) => {
    const { context } = contextWith(`frame-${era}`, file());
    const session = await clientFor(context, accept({ file: "app/services/points_calculator.rb" }), era);
    try {
      const out = await session.analyse();
      expect(session.asked).toHaveLength(1);
      const schema = (session.asked[0] as any).requestedSchema;
      expect(schema.properties.file).toMatchObject({ type: "string" });
      expect([...schema.properties.file.enum].sort()).toEqual([
        "app/services/points_calculator.rb",
        DUPLICATE,
      ]);
      expect(out.candidates[0]).toMatchObject({
        path: "app/services/points_calculator.rb",
        function: "calculate",
      });
      expect(out.notes.join("\n")).toContain("You chose app/services/points_calculator.rb");
    } finally {
      await session.close();
      await context.close();
    }
  });

  it("without an answer, leaves the frame open and says how to pin the file", async () => {
    for (const reply of [null, (() => ({ action: "cancel" })) as Reply]) {
      const { context } = contextWith(`frame-${reply ? "cancel" : "none"}`, file());
      const session = await clientFor(context, reply);
      try {
        const out = await session.analyse();
        expect(out.candidates.some((c: any) => c.path === "app/services/points_calculator.rb")).toBe(false);
        const unmapped = out.unmapped_frames.map((f: any) => f.frame).join("\n");
        expect(unmapped).toContain("points_calculator.rb");
        if (!reply) expect(out.notes.join("\n")).toContain("add_feedback with path set to the right one");
      } finally {
        await session.close();
        await context.close();
      }
    }
  });
});

describe("what changed, when confidence is low", () => {
  // S04: the ranking is unsure (low confidence) and no strong suspect commit touches its top candidate.
  const s04 = scenarioNamed("s04");
  let prepared: Awaited<ReturnType<typeof prepareScenario>>;
  beforeAll(async () => {
    prepared = await prepareScenario(s04, { dir: join(dir, "s04") });
  });
  afterAll(async () => {
    await prepared?.close();
  });

  it.each(ERAS)("asks the one question, and records the answer as the run's feedback (%s)", async (era) => {
    const runsBefore = prepared.context.store().listRuns({ limit: 1000 }).length;
    const s = await clientFor(
      prepared.context,
      accept({ change: "a deploy", details: "release 41 reworked build_confirmation_email" }),
      era,
    );
    try {
      const call = await s.client.callTool({ name: "analyze_root_cause", arguments: { issue: s04.issue } });
      const out = call.structuredContent as any;
      expect(s.asked).toHaveLength(1);
      const schema = (s.asked[0] as any).requestedSchema;
      expect(schema.properties.change.enum).toContain("a config or feature-flag change");
      expect(schema.required).toEqual(["change"]);
      const run = prepared.context.store().getRun(out.run_id)!;
      expect(run.feedback).toHaveLength(1);
      expect(run.feedback[0]).toMatchObject({
        kind: "message",
        payload: {
          message:
            "Asked what changed: it started after a deploy: release 41 reworked build_confirmation_email.",
        },
      });
      // One run for the call, however many rounds it took: the question is asked before the run is written.
      expect(prepared.context.store().listRuns({ limit: 1000 })).toHaveLength(runsBefore + 1);
      const named = out.candidates.find((c: any) => c.function === "build_confirmation_email");
      expect(named.reasons[0]).toBe("named in feedback 1");
      expect(named.evidence[0]).toBe("feedback:1");
    } finally {
      await s.close();
    }
  });

  it("without elicitation, names the add_feedback call that supplies it", async () => {
    const s = await clientFor(prepared.context, null);
    try {
      const call = await s.client.callTool({ name: "analyze_root_cause", arguments: { issue: s04.issue } });
      const out = call.structuredContent as any;
      expect(out.confidence.level).toBe("low");
      expect(out.notes.join("\n")).toContain(
        `add_feedback {"run_id": "${out.run_id}", "message": "started after`,
      );
      expect(prepared.context.store().getRun(out.run_id)!.feedback).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it.each(ERAS)("a declined question records nothing (%s)", async (era) => {
    const s = await clientFor(prepared.context, () => ({ action: "decline" }), era);
    try {
      const call = await s.client.callTool({ name: "analyze_root_cause", arguments: { issue: s04.issue } });
      const out = call.structuredContent as any;
      expect(s.asked).toHaveLength(1);
      expect(out.confidence.level).toBe("low");
      expect(prepared.context.store().getRun(out.run_id)!.feedback).toEqual([]);
    } finally {
      await s.close();
    }
  });
});
