import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { isRepositoryAllowed } from "./config/allowlist.ts";
import { type ConfigFile, emptyConfigFile, type RepositoryConfig, readConfigFile } from "./config/file.ts";
import {
  type AutomationConfig,
  automationConfig,
  type HandoffConfig,
  handoffConfig,
} from "./config-automation.ts";
import { type StoreConfig, storeConfig, storeSecrets } from "./config-store.ts";
import { configError } from "./errors.ts";
import { DEFAULT_HEDGE, type HedgeOptions } from "./hedge.ts";
import type { LogLevel } from "./log.ts";

/**
 * One module turns flags, environment and the config file into a validated, frozen Config.
 * Precedence: command-line flags > environment > config file > defaults.
 */

export interface SentryConfig {
  /** Base URL without `/api/0`, e.g. `https://sentry.io` or `https://sentry.example.com`. */
  baseUrl: string;
  token: string | null;
  org: string | null;
  /** True for sentry.io: org-scoped calls go to the org's region host. */
  saas: boolean;
  timeoutMs: number;
  maxRetries: number;
  /** Every tool call's budget for upstream requests (Sentry and GitHub alike). */
  deadlineMs: number;
  /** When a GET that has not answered gets a second copy. Not in the config file; tests shorten it. */
  hedge: HedgeOptions;
}

interface HttpConfig {
  host: string;
  port: number;
  stateless: boolean;
  token: string | null;
  allowedHosts: string[];
  allowedOrigins: string[];
  maxBodyBytes: number;
  sessionIdleMs: number;
  maxSessions: number;
  bodyTimeoutMs: number;
}

interface GitHubConfig {
  token: string | null;
  /** REST API base without a trailing slash: https://api.github.com or https://ghe.example.com/api/v3. */
  apiUrl: string;
  /** One request's timeout. Not in the config file; tests shorten it. */
  timeoutMs: number;
  hedge: HedgeOptions;
}

export interface Config {
  transport: "stdio" | "http";
  sentry: SentryConfig;
  http: HttpConfig;
  repositories: RepositoryConfig[];
  /** Repository name globs the server may read (null: only configured repositories). */
  allowedRepositories: string[] | null;
  github: GitHubConfig;
  codeGeneration: boolean;
  autoCreatePr: boolean;
  handoff: HandoffConfig;
  automation: AutomationConfig;
  publicUrl: string | null;
  /** In stdio mode, the directory whose git checkout is the default repository when none is configured. */
  workingDirectory: string | null;
  dbPath: string;
  /** Whether AUTOFIX_DB named the database (else dbPath is the default under the state directory). */
  dbNamed: boolean;
  /** SQLite at dbPath, or PostgreSQL when store.url is set. */
  store: StoreConfig;
  demo: boolean;
  logLevel: LogLevel;
  configPath: string | null;
}

interface ConfigInputs {
  argv: string[];
  env: Record<string, string | undefined>;
  cwd: string;
  home?: string;
  platform?: NodeJS.Platform;
  readFile?: (path: string) => string;
}

export type CliAction =
  | { action: "help" }
  | { action: "version" }
  | { action: "run"; config: Config }
  /** Forget the repository a person named for a Sentry project when asked, then exit. */
  | { action: "forget-repo"; project: string; config: Config };

export const HELP = `autofix-mcp — an MCP server that turns Sentry issues into grounded root causes and fix plans.

Usage: autofix-mcp [options]

  --transport stdio|http   stdio (default) or Streamable HTTP
  --host H                 HTTP bind address (default 127.0.0.1)
  --port N                 HTTP port (default 3939; 0 picks a free port)
  --stateless              HTTP without sessions (each request stands alone)
  --allowed-hosts a,b      extra Host header values accepted over HTTP
  --allowed-origins a,b    extra Origin values accepted over HTTP
  --config PATH            JSON config file (or AUTOFIX_CONFIG)
  --repo PATH              map a local git checkout (repeatable)
  --forget-repo PROJECT    forget the repository answered for a Sentry project, then exit
  --allow-http             allow an http:// SENTRY_HOST that is not on loopback
  --demo                   serve the bundled sample organisation; no Sentry account needed
                           (runs go to a temporary database unless AUTOFIX_DB names one)
  --log-level L            debug|info|warn|error|silent (default info; logs go to stderr)
  --help, --version

Environment: SENTRY_ACCESS_TOKEN, SENTRY_HOST, SENTRY_ORG, AUTOFIX_CONFIG, AUTOFIX_DB,
AUTOFIX_DATABASE_URL, AUTOFIX_REPLICA_ID, AUTOFIX_HTTP_TOKEN, AUTOFIX_LOG_LEVEL, GITHUB_TOKEN, GITHUB_API_URL.`;

const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
const DEFAULT_PORT = 3939;

export function loadConfig(inputs: ConfigInputs): CliAction {
  const flags = parseFlags(inputs.argv);
  if (flags.help) return { action: "help" };
  if (flags.version) return { action: "version" };

  const env = inputs.env;
  const readFile = inputs.readFile ?? ((p: string) => readFileSync(p, "utf8"));
  const configPath = flags.config ?? nonEmpty(env.AUTOFIX_CONFIG) ?? null;
  const resolvedConfigPath = configPath ? resolve(inputs.cwd, configPath) : null;
  const file = resolvedConfigPath ? readConfigFile(resolvedConfigPath, readFile) : emptyConfigFile();

  const transport = flags.transport ?? "stdio";
  if (transport !== "stdio" && transport !== "http") {
    throw configError(`--transport must be "stdio" or "http", not "${transport}".`);
  }

  const logLevel = (flags["log-level"] ?? nonEmpty(env.AUTOFIX_LOG_LEVEL) ?? "info") as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw configError(`log level must be one of ${LOG_LEVELS.join(", ")}, not "${logLevel}".`);
  }

  const sentry = sentryConfig({
    host: nonEmpty(env.SENTRY_HOST) ?? file.sentry?.host ?? "sentry.io",
    token: nonEmpty(env.SENTRY_ACCESS_TOKEN) ?? null,
    org: nonEmpty(env.SENTRY_ORG) ?? file.sentry?.org ?? null,
    allowHttp: flags["allow-http"] === true,
    timeoutMs: (file.sentry?.timeoutSeconds ?? 15) * 1000,
    maxRetries: file.sentry?.maxRetries ?? 3,
    deadlineMs: (file.sentry?.deadlineSeconds ?? 20) * 1000,
  });

  const http = httpConfig(flags, env, file);
  const repositories = [
    ...file.repositories.map((r) => resolveRepoPath(r, resolvedConfigPath)),
    ...(flags.repo ?? []).map((p) => {
      const path = resolve(inputs.cwd, p);
      return { name: basename(path), path, projects: [] } satisfies RepositoryConfig;
    }),
  ];

  const allowedRepositories = file.allowedRepositories ?? null;
  checkAllowed(repositories, allowedRepositories);

  const github = githubConfig(env, flags["allow-http"] === true);
  const config: Config = {
    transport,
    sentry,
    http,
    repositories,
    allowedRepositories,
    github,
    codeGeneration: file.codeGeneration ?? true,
    autoCreatePr: file.autoCreatePr ?? false,
    handoff: handoffConfig(file.handoff, env, github.apiUrl),
    automation: automationConfig(file.automation, env),
    publicUrl:
      file.publicUrl?.replace(/\/+$/, "") ?? nonEmpty(env.AUTOFIX_PUBLIC_URL)?.replace(/\/+$/, "") ?? null,
    workingDirectory: transport === "stdio" ? inputs.cwd : null,
    dbPath:
      nonEmpty(env.AUTOFIX_DB) ??
      join(stateDir(inputs.home ?? homedir(), inputs.platform ?? process.platform, env), "runs.db"),
    dbNamed: nonEmpty(env.AUTOFIX_DB) !== undefined,
    store: storeConfig(file.store, env),
    demo: flags.demo === true,
    logLevel,
    configPath: resolvedConfigPath,
  };
  const forget = flags["forget-repo"]?.trim();
  if (forget !== undefined) {
    if (!forget)
      throw configError("--forget-repo needs a Sentry project slug, e.g. --forget-repo orders-api.");
    return { action: "forget-repo", project: forget, config: deepFreeze(config) };
  }
  return { action: "run", config: deepFreeze(config) };
}

type Flags = ReturnType<typeof parseFlags>;

function parseFlags(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        transport: { type: "string" },
        host: { type: "string" },
        port: { type: "string" },
        stateless: { type: "boolean" },
        "allowed-hosts": { type: "string" },
        "allowed-origins": { type: "string" },
        config: { type: "string" },
        repo: { type: "string", multiple: true },
        "forget-repo": { type: "string" },
        "allow-http": { type: "boolean" },
        demo: { type: "boolean" },
        "log-level": { type: "string" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
      },
    }).values;
  } catch (error) {
    throw configError(
      `${(error as Error).message.replace(/\. To specify.*$/s, "")}.`,
      "Run autofix-mcp --help to see the accepted flags.",
    );
  }
}

function resolveRepoPath(repo: RepositoryConfig, configPath: string | null): RepositoryConfig {
  if (!repo.path || isAbsolute(repo.path)) return repo;
  return { ...repo, path: resolve(configPath ? dirname(configPath) : process.cwd(), repo.path) };
}

function checkAllowed(repositories: RepositoryConfig[], allowed: string[] | null): void {
  if (allowed === null) return;
  for (const repo of repositories) {
    if (!isRepositoryAllowed(allowed, repo.name, repo.github)) {
      throw configError(
        `repository "${repo.name}" is configured but not in allowedRepositories (${allowed.join(", ")}).`,
        "Add it to allowedRepositories in the config file, or remove it from repositories / --repo.",
      );
    }
  }
}

function githubConfig(env: Record<string, string | undefined>, allowHttp: boolean): GitHubConfig {
  const raw = nonEmpty(env.GITHUB_API_URL) ?? "https://api.github.com";
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw configError(
      `GITHUB_API_URL "${raw}" is not a URL.`,
      "Set it to e.g. https://ghe.example.com/api/v3, or unset it for github.com.",
    );
  }
  if (
    url.protocol !== "https:" &&
    !(url.protocol === "http:" && (isLoopbackHost(url.hostname) || allowHttp))
  ) {
    throw configError(`GITHUB_API_URL must use https:// (http:// only for loopback or with --allow-http).`);
  }
  return {
    token: nonEmpty(env.GITHUB_TOKEN) ?? null,
    apiUrl: url.href.replace(/\/+$/, ""),
    timeoutMs: 15_000,
    hedge: DEFAULT_HEDGE,
  };
}

interface SentryInputs {
  host: string;
  token: string | null;
  org: string | null;
  allowHttp: boolean;
  timeoutMs: number;
  maxRetries: number;
  deadlineMs: number;
}

function sentryConfig(inputs: SentryInputs): SentryConfig {
  const raw = inputs.host.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw configError(
      `SENTRY_HOST "${inputs.host}" is not a hostname or URL.`,
      "Set SENTRY_HOST to e.g. sentry.example.com or https://sentry.example.com (leave it unset for sentry.io).",
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw configError(`SENTRY_HOST must use https:// (or http:// for loopback), not ${url.protocol}//.`);
  }
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname) && !inputs.allowHttp) {
    throw configError(
      `SENTRY_HOST ${url.origin} uses plain http:// on a non-loopback host, which would send your token unencrypted.`,
      "Use https://, or pass --allow-http if you really mean it (e.g. inside a private network).",
    );
  }
  if (url.username || url.password) {
    throw configError("SENTRY_HOST must not contain credentials; put the token in SENTRY_ACCESS_TOKEN.");
  }
  const path = url.pathname.replace(/\/+$/, "").replace(/\/api\/0$/, "");
  const host = url.hostname.toLowerCase();
  return {
    baseUrl: `${url.protocol}//${url.host}${path}`,
    token: inputs.token,
    org: inputs.org,
    saas: host === "sentry.io" || host.endsWith(".sentry.io"),
    timeoutMs: inputs.timeoutMs,
    maxRetries: inputs.maxRetries,
    deadlineMs: inputs.deadlineMs,
    hedge: DEFAULT_HEDGE,
  };
}

function httpConfig(flags: Flags, env: Record<string, string | undefined>, file: ConfigFile): HttpConfig {
  const host = flags.host ?? file.http?.host ?? "127.0.0.1";
  const portText = flags.port ?? (file.http?.port === undefined ? undefined : String(file.http.port));
  const port = portText === undefined ? DEFAULT_PORT : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw configError(`--port must be an integer between 0 and 65535, not "${portText}".`);
  }
  const token = nonEmpty(env.AUTOFIX_HTTP_TOKEN) ?? file.http?.token ?? null;
  if (token !== null && token.length < 16) {
    throw configError(
      "AUTOFIX_HTTP_TOKEN is too short; use at least 16 random characters (e.g. openssl rand -hex 32).",
    );
  }
  return {
    host,
    port,
    stateless: flags.stateless === true || file.http?.stateless === true,
    token,
    allowedHosts: [...splitList(flags["allowed-hosts"]), ...(file.http?.allowedHosts ?? [])],
    allowedOrigins: [...splitList(flags["allowed-origins"]), ...(file.http?.allowedOrigins ?? [])],
    maxBodyBytes: file.http?.maxBodyBytes ?? 1024 * 1024,
    sessionIdleMs: (file.http?.sessionIdleMinutes ?? 30) * 60_000,
    maxSessions: file.http?.maxSessions ?? 1000,
    bodyTimeoutMs: (file.http?.bodyTimeoutSeconds ?? 15) * 1000,
  };
}

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, "");
  return h === "localhost" || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h) || h.endsWith(".localhost");
}

function stateDir(home: string, platform: NodeJS.Platform, env: Record<string, string | undefined>): string {
  if (platform === "darwin") return join(home, "Library", "Application Support", "autofix-mcp");
  if (platform === "win32")
    return join(nonEmpty(env.LOCALAPPDATA) ?? join(home, "AppData", "Local"), "autofix-mcp");
  return join(nonEmpty(env.XDG_STATE_HOME) ?? join(home, ".local", "state"), "autofix-mcp");
}

function splitList(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

function nonEmpty(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v ? v : undefined;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Every secret value the config holds, so logs and outputs can redact them. */
export function configSecrets(config: Config): string[] {
  return [
    config.sentry.token,
    config.http.token,
    config.github.token,
    config.automation.webhookSecret,
    ...config.handoff.targets.flatMap((t) => [t.token, t.secret]),
    ...storeSecrets(config.store),
  ].filter((s): s is string => Boolean(s));
}
