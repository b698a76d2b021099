import { z } from "zod";
import { configError } from "./errors.ts";
import { TARGET_TYPES, targetKind } from "./handoff/targets.ts";
import type { TargetConfig } from "./handoff/types.ts";

/**
 * The config file's background-handoff part: coding-agent targets (credentials by environment variable
 * name, never inline), which target serves which projects or repositories, and the automation that turns
 * Sentry webhooks into runs and dispatches (actionability gate, queue limits).
 */

const envName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, "use an environment variable name, e.g. CURSOR_API_KEY");

const targetSchema = z
  .object({
    type: z.enum(TARGET_TYPES),
    tokenEnv: envName.optional(),
    secretEnv: envName.optional(),
    apiUrl: z.string().url().optional(),
    url: z.string().url().optional(),
    model: z.string().min(1).optional(),
  })
  .strict();

export const handoffFileSchema = z
  .object({
    targets: z
      .record(
        z.string().regex(/^[a-z][a-z0-9_-]*$/, "target names are lowercase words, e.g. cursor"),
        targetSchema,
      )
      .default({}),
    routes: z
      .array(
        z
          .object({
            projects: z.array(z.string().min(1)).optional(),
            repositories: z.array(z.string().min(1)).optional(),
            target: z.string().min(1),
          })
          .strict(),
      )
      .default([]),
    defaultTarget: z.string().min(1).optional(),
    /** Post a comment with the root cause and the agent's link on the Sentry issue. */
    postSentryComment: z.boolean().optional(),
  })
  .strict();

export const automationFileSchema = z
  .object({
    enabled: z.boolean().optional(),
    webhookSecretEnv: envName.optional(),
    maxWebhookAgeSeconds: z.number().int().positive().optional(),
    actionability: z
      .object({
        minEvents: z.number().int().min(0).optional(),
        seenWithinDays: z.number().positive().optional(),
        minFixability: z.number().min(0).max(1).optional(),
        projects: z.array(z.string().min(1)).optional(),
        levels: z.array(z.string().min(1)).optional(),
      })
      .strict()
      .optional(),
    concurrency: z.number().int().min(1).max(32).optional(),
    maxAttempts: z.number().int().min(1).max(20).optional(),
    perOrgPerHour: z.number().int().min(1).optional(),
    /** How long a worker holds a job between heartbeats before another worker may take it over. */
    leaseSeconds: z.number().positive().optional(),
  })
  .strict();

export interface HandoffConfig {
  targets: TargetConfig[];
  routes: Array<{ projects: string[]; repositories: string[]; target: string }>;
  defaultTarget: string | null;
  postSentryComment: boolean;
}

export interface AutomationConfig {
  /** Webhooks and the background worker run only in HTTP mode, and only when this is true. */
  enabled: boolean;
  webhookSecret: string | null;
  webhookSecretEnv: string;
  maxWebhookAgeSeconds: number;
  actionability: {
    minEvents: number;
    seenWithinDays: number;
    minFixability: number;
    projects: string[] | null;
    levels: string[];
  };
  concurrency: number;
  maxAttempts: number;
  perOrgPerHour: number;
  leaseSeconds: number;
}

type Env = Record<string, string | undefined>;
const read = (env: Env, name: string | undefined) => (name ? env[name]?.trim() || null : null);

export function handoffConfig(
  file: z.infer<typeof handoffFileSchema> | undefined,
  env: Env,
  githubApiUrl: string,
): HandoffConfig {
  const targets: TargetConfig[] = Object.entries(file?.targets ?? {}).map(([name, t]) => {
    const kind = targetKind(t.type);
    if (kind.needsUrl && !t.url) throw configError(`handoff target "${name}" (${t.type}) needs "url".`);
    if (name === "chat")
      throw configError(
        '"chat" is the built-in target (the agent in the conversation); name your target differently.',
      );
    const defaultApi = kind.defaultApiUrl === "github" ? githubApiUrl : kind.defaultApiUrl;
    return {
      name,
      type: t.type,
      apiUrl: (t.apiUrl ?? defaultApi).replace(/\/+$/, ""),
      token: read(env, t.tokenEnv ?? kind.defaultTokenEnv ?? undefined),
      secret: read(env, t.secretEnv),
      url: t.url ?? null,
      model: t.model ?? null,
    };
  });
  const known = new Set(targets.map((t) => t.name));
  for (const r of file?.routes ?? []) {
    if (!known.has(r.target))
      throw configError(
        `handoff route names target "${r.target}", which handoff.targets does not define (known: ${[...known].join(", ") || "none"}).`,
      );
  }
  if (file?.defaultTarget && !known.has(file.defaultTarget)) {
    throw configError(
      `handoff.defaultTarget "${file.defaultTarget}" is not one of handoff.targets (${[...known].join(", ") || "none"}).`,
    );
  }
  return {
    targets,
    routes: (file?.routes ?? []).map((r) => ({
      projects: r.projects ?? [],
      repositories: r.repositories ?? [],
      target: r.target,
    })),
    defaultTarget: file?.defaultTarget ?? (targets.length === 1 ? targets[0]!.name : null),
    postSentryComment: file?.postSentryComment ?? false,
  };
}

export function automationConfig(
  file: z.infer<typeof automationFileSchema> | undefined,
  env: Env,
): AutomationConfig {
  const secretEnv = file?.webhookSecretEnv ?? "SENTRY_CLIENT_SECRET";
  const secret = read(env, secretEnv);
  const a = file?.actionability;
  return {
    enabled: file?.enabled ?? secret !== null,
    webhookSecret: secret,
    webhookSecretEnv: secretEnv,
    maxWebhookAgeSeconds: file?.maxWebhookAgeSeconds ?? 300,
    actionability: {
      minEvents: a?.minEvents ?? 10,
      seenWithinDays: a?.seenWithinDays ?? 14,
      minFixability: a?.minFixability ?? 0.4,
      projects: a?.projects ?? null,
      levels: a?.levels ?? ["error", "fatal"],
    },
    concurrency: file?.concurrency ?? 2,
    maxAttempts: file?.maxAttempts ?? 5,
    perOrgPerHour: file?.perOrgPerHour ?? 30,
    leaseSeconds: file?.leaseSeconds ?? 60,
  };
}
