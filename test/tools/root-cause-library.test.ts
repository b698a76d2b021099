import { describe, expect, it } from "vitest";
import { throwingLibrary } from "../../src/analysis/library.ts";
import { normalizeEvent } from "../../src/sentry/normalize-event.ts";
import { connect } from "../helpers/context.ts";
import { scenarioNamed } from "../helpers/session.ts";
import { prepareScenario } from "../scenarios/setup.ts";

/** The library an error was raised in is named, with the application call that handed it the input. */

async function analyze(name: string) {
  const scenario = scenarioNamed(name);
  const prepared = await prepareScenario(scenario);
  const session = await connect(prepared.context);
  try {
    const result = await session.client.callTool({
      name: "analyze_root_cause",
      arguments: { issue: scenario.issue },
    });
    return result.structuredContent as {
      library?: { name: string; version: string | null; frame: string } | null;
      summary: string;
    };
  } finally {
    await session.close();
    await prepared.close();
  }
}

describe("library named in the root cause", () => {
  it("names the library below the runtime frames, and the in-app call that handed it the input", async () => {
    const out = await analyze("s05-python-chained-library");
    expect(out.library).toMatchObject({
      name: "urllib3",
      frame: expect.stringMatching(/^urllib3\/connection\.py:\d+ in getresponse$/),
    });
    expect(out.summary).toMatch(
      /raised inside the library `urllib3`.*called from charge \(app\/gateway\.py:\d+\)/,
    );
  });

  it("names the library in the plan's first step", async () => {
    const scenario = scenarioNamed("s05-python-chained-library");
    const prepared = await prepareScenario(scenario);
    const session = await connect(prepared.context);
    try {
      const rc = (
        await session.client.callTool({ name: "analyze_root_cause", arguments: { issue: scenario.issue } })
      ).structuredContent as { run_id: string };
      const plan = (
        await session.client.callTool({ name: "propose_solution", arguments: { run_id: rc.run_id } })
      ).structuredContent as { steps: Array<{ description: string }> };
      expect(plan.steps[0]!.description).toMatch(/inside the library `urllib3`/);
    } finally {
      await session.close();
      await prepared.close();
    }
  });

  it("names it on a library-only stack too", async () => {
    const out = await analyze("s12-library-only-stack");
    expect(out.library?.name).toBe("@supplierhub/feed-client");
  });

  it("does not blame an HTTP client that only reported another service's failure", async () => {
    const out = await analyze("s01-frontend-backend-500");
    expect(out.library ?? null).toBeNull();
  });

  it("reads the version a pnpm store or an egg path shows", () => {
    const stack = (absPath: string) =>
      normalizeEvent({
        entries: [
          {
            type: "exception",
            data: {
              values: [
                {
                  type: "RangeError",
                  stacktrace: { frames: [{ absPath, function: "format", lineNo: 3, inApp: false }] },
                },
              ],
            },
          },
        ],
      }).exceptions[0]!.stacktrace;
    expect(
      throwingLibrary(stack("/app/node_modules/.pnpm/date-fns@2.30.0/node_modules/date-fns/format/index.js")),
    ).toEqual({
      name: "date-fns",
      version: "2.30.0",
      frame: "date-fns/format/index.js:3 in format",
    });
    expect(
      throwingLibrary(
        stack("/home/u/.pyenv/lib/python2.7/site-packages/requests-2.9.1-py2.7.egg/requests/models.py"),
      )?.version,
    ).toBe("2.9.1");
    expect(throwingLibrary(stack("/srv/app/orders.py"))).toBeNull();
  });
});
