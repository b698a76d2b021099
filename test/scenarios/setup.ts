import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Context } from "../../src/context.ts";
import { type SandboxHandle, startSandbox } from "../../src/sandbox/server.ts";
import { testContext } from "../helpers/context.ts";
import { type BuiltScenario, buildRepos } from "./harness.ts";
import { CORPUS_NOW, type CorpusScenario } from "./types.ts";

export interface PreparedScenario {
  scenario: CorpusScenario;
  built: BuiltScenario;
  sandbox: SandboxHandle;
  context: Context & { logLines: string[] };
  configPath: string;
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * A corpus scenario ready to analyse: its repositories built, the sandbox Sentry serving its data, and a
 * config file that connects the repositories the scenario says are connected.
 */
export async function prepareScenario(
  scenario: CorpusScenario,
  options: { latencyMs?: number; dir?: string; rateLimit?: { limit: number; windowSeconds: number } } = {},
): Promise<PreparedScenario> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), `autofix-${scenario.name}-`));
  const built = await buildRepos(scenario, join(dir, "repos"));
  const sandbox = await startSandbox({
    scenario: built.sentry,
    latencyMs: options.latencyMs ?? 0,
    ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
  });
  const repositories = built.repos
    .filter((r) => r.connected)
    .map((r) => ({ name: r.name, path: r.path, projects: r.projects }));
  const configPath = join(dir, "autofix.json");
  writeFileSync(configPath, JSON.stringify({ repositories }, null, 2));
  const env = { AUTOFIX_CONFIG: configPath, AUTOFIX_DB: join(dir, "runs.db") };
  const context = testContext({ sentryUrl: sandbox.url, now: CORPUS_NOW, env });
  return {
    scenario,
    built,
    sandbox,
    context,
    configPath,
    env,
    close: async () => {
      await context.close();
      await sandbox.close();
    },
  };
}
