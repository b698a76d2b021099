import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pkg from "../package.json" with { type: "json" };
import { type Config, configSecrets, HELP, loadConfig } from "./config.ts";
import { createContext } from "./context.ts";
import { describeError, isAppError } from "./errors.ts";
import { createLogger, type Logger, redactingSink } from "./log.ts";
import { RunChanges } from "./store/changes.ts";
import { openStores } from "./store/open.ts";

/**
 * The process edge: the only module that reads process.env and argv. It builds the config, the context and
 * the transport, and owns shutdown. In stdio mode stdout is the protocol's, so everything else goes to stderr.
 */
async function main(): Promise<void> {
  let parsed: ReturnType<typeof loadConfig>;
  try {
    parsed = loadConfig({ argv: process.argv.slice(2), env: process.env, cwd: process.cwd() });
  } catch (error) {
    return fail(error);
  }
  if (parsed.action === "help") return void process.stdout.write(`${HELP}\n`);
  if (parsed.action === "version") return void process.stdout.write(`${pkg.version}\n`);
  if (parsed.action === "forget-repo") return forgetRepository(parsed.config, parsed.project);

  let config = parsed.config;
  const secrets = configSecrets(config);
  const logger = createLogger(config.logLevel, redactingSink(secrets));
  process.on("unhandledRejection", (error) => logger.error("unhandled rejection", { error }));
  process.on("uncaughtException", (error) => logger.error("uncaught exception", { error }));

  const cleanups: Array<() => Promise<void>> = [];
  if (config.demo) {
    const demo = await startDemo(config, logger);
    config = demo.config;
    cleanups.push(demo.close);
  }
  const context = createContext(config, logger);
  cleanups.unshift(() => context.close());

  let stopping = false;
  const shutdown = async (reason: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    logger.info("shutting down", { reason });
    const force = setTimeout(() => process.exit(code), 5_000);
    force.unref();
    for (const cleanup of cleanups)
      await cleanup().catch((error) => logger.warn("cleanup failed", { error }));
    process.exit(code);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));

  try {
    // Each transport is loaded only when chosen: stdio skips HTTP, webhooks and the automation worker, and
    // answers `initialize` sooner (issue 15).
    if (config.transport === "http") {
      const [{ serveHttp }, { Worker }] = await Promise.all([
        import("./transports/http.ts"),
        import("./automation/worker.ts"),
      ]);
      // Sentry webhooks feed the background worker; without a webhook secret there is nothing to work on.
      const worker = config.automation.enabled ? new Worker(context) : null;
      const handle = await serveHttp(context, { worker });
      cleanups.unshift(() => handle.close());
      if (worker) {
        worker.start();
        cleanups.unshift(() => worker.stop());
        logger.info("background handoff enabled", {
          webhook: handle.url.replace(/\/mcp$/, "/webhooks/sentry"),
        });
      }
      process.stderr.write(`autofix-mcp listening on ${handle.url}\n`);
    } else {
      const { serveStdio } = await import("./transports/stdio.ts");
      const stdio = await serveStdio(context);
      cleanups.unshift(() => stdio.close());
      void stdio.closed.then(() => shutdown("stdin closed"));
    }
  } catch (error) {
    await Promise.allSettled(cleanups.map((c) => c()));
    return fail(error);
  }
}

async function startDemo(
  config: Config,
  logger: Logger,
): Promise<{ config: Config; close: () => Promise<void> }> {
  const [{ startSandbox }, { demoScenario }, { buildDemoRepos }] = await Promise.all([
    import("./sandbox/server.ts"),
    import("./sandbox/demo/index.ts"),
    import("./sandbox/demo/repos/index.ts"),
  ]);
  const now = Date.now();
  const sandbox = await startSandbox({ scenario: demoScenario(now), token: "demo-token" });
  // The sample repositories live in a private temporary directory for this process only.
  const dir = mkdtempSync(join(tmpdir(), "autofix-demo-"));
  const removeRepos = async () => rmSync(dir, { recursive: true, force: true });
  let repositories = config.repositories;
  try {
    const repos = await buildDemoRepos(dir, now);
    repositories = [
      ...repos.map((r) => ({ name: r.name, path: r.path, projects: r.projects })),
      ...config.repositories.filter((r) => !repos.some((d) => d.name === r.name)),
    ];
  } catch (error) {
    logger.warn("demo mode: the sample repositories could not be built; repository tools will say so", {
      error: (error as Error).message,
    });
  }
  // The sample runs are not the user's: unless AUTOFIX_DB names a database, they go to one in the same
  // private directory, removed with it.
  const dbPath = config.dbNamed ? config.dbPath : join(dir, "runs.db");
  logger.info("demo mode: serving the bundled sample organisation", {
    sentry: sandbox.url,
    org: "acme",
    repositories: repositories.map((r) => r.name),
    checkouts: dir,
    runs: dbPath,
  });
  const demoConfig: Config = {
    ...config,
    dbPath,
    repositories,
    sentry: { ...config.sentry, baseUrl: sandbox.url, token: "demo-token", org: "acme", saas: false },
  };
  return {
    config: demoConfig,
    close: async () => {
      await sandbox.close();
      await removeRepos();
    },
  };
}

/** `--forget-repo PROJECT`: the next analysis of the project asks again which repository serves it. */
async function forgetRepository(config: Config, project: string): Promise<void> {
  const logger = createLogger(config.logLevel, redactingSink(configSecrets(config)));
  try {
    const stores = openStores(config, Date.now, new RunChanges(() => undefined), logger);
    try {
      const n = stores.store.answers.forget(project);
      process.stdout.write(
        n > 0
          ? `Forgot the repository answered for ${project}; its next analysis asks again.\n`
          : `No repository was answered for ${project}; nothing to forget.\n`,
      );
    } finally {
      await stores.close();
    }
  } catch (error) {
    fail(error);
  }
}

function fail(error: unknown): void {
  const message = isAppError(error)
    ? describeError(error).text
    : `autofix-mcp failed to start: ${(error as Error)?.stack ?? error}`;
  process.stderr.write(`${message}\n`);
  process.exitCode = 2;
}

void main();
