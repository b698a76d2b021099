import { readFileSync, writeFileSync } from "node:fs";
import { createContext } from "../../src/context.ts";
import { createLogger } from "../../src/log.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../fakes/webhook-receiver.ts";
import { scenarioNamed } from "../helpers/session.ts";
import { type PreparedScenario, prepareScenario } from "../scenarios/setup.ts";
import { connect, testConfig, textOf } from "./context.ts";

/**
 * A corpus scenario (s11, repository acme/invoicing, unless another is named) connected to two generic-webhook handoff targets,
 * `hook` and `hook2`, each with its own receiver on 127.0.0.1 and its own signing secret, and a real MCP
 * client on top: the setup for the attacks on hand_off and on agents' callbacks.
 */
export const HOOK_SECRET = "hook-secret-0123456789abcdef0123456789ab";
export const HOOK2_SECRET = "hook2-secret-0123456789abcdef012345678";
export const GITHUB_TOKEN = "CanaryGithubToken0123456789abcdefABCDEF";

export interface HandoffSetup {
  prepared: PreparedScenario;
  context: ReturnType<typeof createContext>;
  session: Awaited<ReturnType<typeof connect>>;
  hook: WebhookReceiver;
  hook2: WebhookReceiver;
  issue: string;
  call(name: string, args: Record<string, unknown>): Promise<{ isError: boolean; out: any; text: string }>;
  close(): Promise<void>;
}

export async function handoffSetup(
  extra: Record<string, unknown> = {},
  argv: string[] = [],
  scenarioName = "s11",
): Promise<HandoffSetup> {
  const scenario = scenarioNamed(scenarioName);
  const prepared = await prepareScenario(scenario);
  const hook = await startWebhookReceiver({ secret: HOOK_SECRET });
  const hook2 = await startWebhookReceiver({ secret: HOOK2_SECRET });
  const file = JSON.parse(readFileSync(prepared.configPath, "utf8"));
  file.repositories = file.repositories.map((r: { name: string }) => ({ ...r, github: r.name }));
  writeFileSync(
    prepared.configPath,
    JSON.stringify({
      ...file,
      publicUrl: "https://autofix.example.com",
      handoff: {
        targets: {
          hook: { type: "webhook", url: hook.url, secretEnv: "HOOK_SECRET" },
          hook2: { type: "webhook", url: hook2.url, secretEnv: "HOOK2_SECRET" },
        },
      },
      ...extra,
    }),
  );
  const env = { ...prepared.env, HOOK_SECRET, HOOK2_SECRET, GITHUB_TOKEN };
  const context = createContext(
    testConfig({ sentryUrl: prepared.sandbox.url, env, argv }),
    createLogger("silent"),
  );
  context.clock = { now: () => Date.now() };
  const session = await connect(context);
  const call = async (name: string, args: Record<string, unknown>) => {
    const result = await session.client.callTool({ name, arguments: args });
    return { isError: result.isError === true, out: result.structuredContent as any, text: textOf(result) };
  };
  return {
    prepared,
    context,
    session,
    hook,
    hook2,
    issue: scenario.issue,
    call,
    close: async () => {
      await session.close();
      await context.close();
      await hook.close();
      await hook2.close();
      await prepared.close();
    },
  };
}
