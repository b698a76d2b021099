import { Client, InMemoryTransport } from "@modelcontextprotocol/client";
import type { Clock } from "../../src/clock.ts";
import { type Config, loadConfig } from "../../src/config.ts";
import { type Context, createContext } from "../../src/context.ts";
import type { HedgeOptions } from "../../src/hedge.ts";
import { createLogger, type Logger } from "../../src/log.ts";
import { createServer, type ServerOptions } from "../../src/server.ts";

export interface TestContextOptions {
  sentryUrl: string;
  token?: string | null;
  org?: string | null;
  env?: Record<string, string>;
  argv?: string[];
  now?: number;
  logLines?: string[];
  maxRetries?: number;
  timeoutMs?: number;
  /** Each tool call's deadline (config sentry.deadlineSeconds), shortened so hang tests stay fast. */
  deadlineMs?: number;
  /** When a slow GET gets a second copy, for Sentry and GitHub alike. */
  hedge?: HedgeOptions;
  /** One GitHub request's timeout. */
  githubTimeoutMs?: number;
  /** Time for the Sentry and GitHub clients' retries and caches: see fakeClock(). */
  upstreamClock?: Clock;
}

/**
 * A clock on which waiting takes no time: a retry's backoff or a rate-limit wait moves `now` forward and
 * returns at once, so fault tests see every retry without sitting through the pauses.
 */
export function fakeClock(): Clock & { skipped(): number } {
  let skipped = 0;
  return {
    now: () => Date.now() + skipped,
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw signal.reason;
      skipped += ms;
    },
    skipped: () => skipped,
  };
}

/** A real context (real Sentry client over HTTP) pointed at a sandbox, with logs captured in memory. */
export function testConfig(options: TestContextOptions): Config {
  const env: Record<string, string> = {
    SENTRY_HOST: options.sentryUrl,
    AUTOFIX_DB: ":memory:",
    ...(options.token === null ? {} : { SENTRY_ACCESS_TOKEN: options.token ?? "sandbox-token" }),
    ...(options.org === null ? {} : { SENTRY_ORG: options.org ?? "acme" }),
    ...options.env,
  };
  const parsed = loadConfig({ argv: options.argv ?? [], env, cwd: process.cwd() });
  if (parsed.action !== "run") throw new Error("unexpected CLI action");
  const sentry = { ...parsed.config.sentry };
  if (options.maxRetries !== undefined) sentry.maxRetries = options.maxRetries;
  if (options.timeoutMs !== undefined) sentry.timeoutMs = options.timeoutMs;
  if (options.deadlineMs !== undefined) sentry.deadlineMs = options.deadlineMs;
  const github = { ...parsed.config.github };
  if (options.hedge !== undefined) {
    sentry.hedge = options.hedge;
    github.hedge = options.hedge;
  }
  if (options.githubTimeoutMs !== undefined) github.timeoutMs = options.githubTimeoutMs;
  return { ...parsed.config, sentry, github };
}

export function testContext(options: TestContextOptions): Context & { logLines: string[] } {
  const logLines = options.logLines ?? [];
  const logger: Logger = createLogger("debug", (line) => logLines.push(line));
  const context = createContext(testConfig(options), logger, options.upstreamClock);
  if (options.now !== undefined) {
    const now = options.now;
    context.clock = { now: () => now };
  }
  return Object.assign(context, { logLines });
}

/** A real MCP client connected in memory to createServer(context), holding its tools/list. */
export async function connect(
  context: Context,
  options: ServerOptions = {},
): Promise<{ client: Client; close(): Promise<void> }> {
  const server = createServer(context, options);
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: "test-client", version: "1.0.0" });
  await Promise.all([server.connect(serverTransport), client.connect(clientTransport)]);
  // Listing first makes the client check every structuredContent against the output schema tools/list
  // declares, as real clients do: every tool test then also proves the listed schemas accept real outputs.
  await client.listTools();
  return {
    client,
    close: async () => {
      await client.close();
      await server.close();
    },
  };
}

/** The text of a tool result's first content block. */
export function textOf(result: unknown): string {
  const content = (result as { content?: Array<{ type: string; text?: string }> }).content ?? [];
  return content.map((c) => c.text ?? "").join("\n");
}
