import { hostname } from "node:os";
import { z } from "zod";
import { configError } from "./errors.ts";

/**
 * Where runs and jobs live. Without a URL, SQLite at `dbPath` (the default, nothing to run); with
 * `AUTOFIX_DATABASE_URL` or `store.url`, PostgreSQL, shared by any number of replicas.
 */

export const storeFileSchema = z
  .object({
    /** postgres://user:password@host:5432/db — prefer AUTOFIX_DATABASE_URL, which keeps the password out of the file. */
    url: z.string().min(1).optional(),
    /** Connections this process opens at most (besides one for LISTEN). */
    poolSize: z.number().int().min(2).max(100).optional(),
    /** How long one statement may take before it is cancelled. */
    statementTimeoutSeconds: z.number().positive().max(600).optional(),
  })
  .strict();

export interface StoreConfig {
  /** null: SQLite at Config.dbPath. */
  url: string | null;
  poolSize: number;
  statementTimeoutMs: number;
  /** This process's name among replicas: the `X-Autofix-Replica` header, /healthz, the log. */
  replicaId: string;
}

type Env = Record<string, string | undefined>;

export function storeConfig(file: z.infer<typeof storeFileSchema> | undefined, env: Env): StoreConfig {
  const url = env.AUTOFIX_DATABASE_URL?.trim() || file?.url || null;
  if (url !== null) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw configError(
        "AUTOFIX_DATABASE_URL (or store.url) is not a URL.",
        "Use postgres://user:password@host:5432/database.",
      );
    }
    if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:")
      throw configError(
        `AUTOFIX_DATABASE_URL (or store.url) must be a postgres:// URL, not ${parsed.protocol}//…`,
        "For SQLite, unset it and use AUTOFIX_DB.",
      );
  }
  const replicaId = env.AUTOFIX_REPLICA_ID?.trim() || `${hostname()}-${process.pid}`;
  if (!/^[\w.:-]{1,100}$/.test(replicaId))
    throw configError(
      `AUTOFIX_REPLICA_ID "${replicaId.slice(0, 100)}" may hold only letters, digits and . _ : - (at most 100).`,
    );
  return {
    url,
    poolSize: file?.poolSize ?? 10,
    statementTimeoutMs: (file?.statementTimeoutSeconds ?? 15) * 1000,
    replicaId,
  };
}

/** The database password is a secret like any token: scrubbed from output and logs. */
export function storeSecrets(store: StoreConfig): string[] {
  if (!store.url) return [];
  try {
    const password = decodeURIComponent(new URL(store.url).password);
    return password ? [password, store.url] : [];
  } catch {
    return [];
  }
}
