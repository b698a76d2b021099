import { afterAll, beforeAll } from "vitest";
import { corpus } from "../scenarios/index.ts";
import { type PreparedScenario, prepareScenario } from "../scenarios/setup.ts";
import type { CorpusScenario } from "../scenarios/types.ts";
import { connect } from "./context.ts";

export type Session = Awaited<ReturnType<typeof connect>>;

/** The corpus scenario with this name, or the one whose name starts with it (`"s11"`). */
export function scenarioNamed(name: string): CorpusScenario {
  const found = corpus.find((s) => s.name === name) ?? corpus.find((s) => s.name.startsWith(name));
  if (!found) throw new Error(`no corpus scenario named ${name}`);
  return found;
}

/**
 * A corpus scenario prepared (repositories, sandbox Sentry, config) and an MCP client connected to it, for
 * the tests of the enclosing file or describe block: set up before them, closed after them.
 */
export function useScenarioSession(
  which: string | CorpusScenario,
  options?: Parameters<typeof prepareScenario>[1],
): { readonly scenario: CorpusScenario; readonly prepared: PreparedScenario; readonly session: Session } {
  const scenario = typeof which === "string" ? scenarioNamed(which) : which;
  let prepared: PreparedScenario | undefined;
  let session: Session | undefined;
  beforeAll(async () => {
    prepared = await prepareScenario(scenario, options);
    session = await connect(prepared.context);
  });
  afterAll(async () => {
    await session?.close();
    await prepared?.close();
  });
  return {
    scenario,
    get prepared() {
      if (!prepared) throw new Error("the scenario is prepared in beforeAll");
      return prepared;
    },
    get session() {
      if (!session) throw new Error("the session is connected in beforeAll");
      return session;
    },
  };
}
