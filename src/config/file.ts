import { z } from "zod";
import { automationFileSchema, handoffFileSchema } from "../config-automation.ts";
import { storeFileSchema } from "../config-store.ts";
import { configError } from "../errors.ts";

/** The JSON config file: its schema, and reading it with errors that name the key at fault. */

const repositorySchema = z
  .object({
    name: z.string().min(1, "give the repository a name such as acme/orders-api"),
    path: z.string().min(1).optional(),
    github: z
      .string()
      .regex(/^[\w.-]+\/[\w.-]+$/, "use the GitHub owner/name form, e.g. acme/orders-api")
      .optional(),
    projects: z.array(z.string().min(1)).default([]),
    defaultBranch: z.string().min(1).optional(),
    pathPrefix: z.string().optional(),
  })
  .strict();

const httpFileSchema = z
  .object({
    host: z.string().min(1).optional(),
    port: z.number().int().min(0).max(65535).optional(),
    stateless: z.boolean().optional(),
    token: z.string().min(16, "use a token of at least 16 characters").optional(),
    allowedHosts: z.array(z.string().min(1)).optional(),
    allowedOrigins: z.array(z.string().min(1)).optional(),
    maxBodyBytes: z.number().int().min(1024).optional(),
    sessionIdleMinutes: z.number().positive().optional(),
    /** Open sessions at most; one more is refused with 503 until a session closes or idles out. */
    maxSessions: z.number().int().min(1).optional(),
    /** A request body must arrive within this many seconds (slow senders hold a connection and memory). */
    bodyTimeoutSeconds: z.number().positive().optional(),
  })
  .strict();

const fileSchema = z
  .object({
    $schema: z.string().optional(),
    repositories: z.array(repositorySchema).default([]),
    /** owner/name globs (`acme/*`) of the repositories this server may read; unset allows configured ones only. */
    allowedRepositories: z.array(z.string().min(1)).optional(),
    sentry: z
      .object({
        host: z.string().min(1).optional(),
        org: z.string().min(1).optional(),
        timeoutSeconds: z.number().positive().optional(),
        maxRetries: z.number().int().min(0).max(10).optional(),
        /** A tool call answers with what has arrived by then, and names what is missing. */
        deadlineSeconds: z.number().min(1).max(600).optional(),
      })
      .strict()
      .optional(),
    http: httpFileSchema.optional(),
    /** false: no code generation or PR handoff at all; hand_off still returns the brief as a report. */
    codeGeneration: z.boolean().optional(),
    /** Whether background agents may open pull requests themselves (chat handoffs always propose a draft PR). */
    autoCreatePr: z.boolean().optional(),
    handoff: handoffFileSchema.optional(),
    automation: automationFileSchema.optional(),
    store: storeFileSchema.optional(),
    /** This server's public base URL, for coding agents' status callbacks (https://autofix.example.com). */
    publicUrl: z.string().url().optional(),
  })
  .strict();

export type RepositoryConfig = z.infer<typeof repositorySchema>;
export type ConfigFile = z.infer<typeof fileSchema>;

/** The config file at `path`, checked against the schema; every problem is listed with its key. */
export function readConfigFile(path: string, readFile: (p: string) => string): ConfigFile {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    throw configError(
      `cannot read the config file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
      "Fix the path in --config or AUTOFIX_CONFIG, or unset it.",
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw configError(`the config file ${path} is not valid JSON: ${(error as Error).message}.`);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  - ${formatPath(i.path)}: ${i.message}`);
    throw configError(
      `the config file ${path} has ${problems.length} problem(s):\n${problems.join("\n")}`,
      'See the README section "Config file" for the accepted keys.',
    );
  }
  for (const [i, repo] of parsed.data.repositories.entries()) {
    if (!repo.path && !repo.github) {
      throw configError(
        `the config file ${path}: repositories[${i}] ("${repo.name}") needs "path" (a local checkout) or "github" (owner/name).`,
      );
    }
  }
  return parsed.data;
}

function formatPath(path: PropertyKey[]): string {
  if (path.length === 0) return "(top level)";
  return path
    .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join("");
}

/** The config with no file: every default. */
export function emptyConfigFile(): ConfigFile {
  return fileSchema.parse({});
}
