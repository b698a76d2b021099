import type { TestProject } from "vitest/node";
import { ensureBuilt } from "./helpers/build.ts";
import { startPostgres } from "./helpers/postgres.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** A PostgreSQL server for this run (its maintenance database); tests make their own databases. */
    postgresUrl: string;
  }
}

/**
 * Once per `vitest run`: the spawned-server tests need an up-to-date `dist/`, and the store's tests and the
 * replica tests need a PostgreSQL, started here and removed at the end.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  ensureBuilt();
  const postgres = await startPostgres();
  project.provide("postgresUrl", postgres.url);
  return () => postgres.destroy();
}
