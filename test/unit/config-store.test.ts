import { describe, expect, it } from "vitest";
import { configSecrets, loadConfig } from "../../src/config.ts";
import { AppError } from "../../src/errors.ts";

const load = (env: Record<string, string>, file?: unknown) => {
  const result = loadConfig({
    argv: file ? ["--config", "/etc/autofix.json"] : [],
    env,
    cwd: "/work",
    home: "/home/u",
    platform: "linux",
    readFile: () => JSON.stringify(file),
  });
  if (result.action !== "run") throw new Error(result.action);
  return result.config;
};

describe("store configuration", () => {
  it("stays on SQLite unless a PostgreSQL URL is given", () => {
    const config = load({});
    expect(config.store).toMatchObject({ url: null, poolSize: 10, statementTimeoutMs: 15_000 });
    expect(config.store.replicaId).toMatch(/^[\w.:-]+-\d+$/);
  });

  it("takes AUTOFIX_DATABASE_URL over store.url, and the file's pool settings", () => {
    const file = { store: { url: "postgres://file@db/a", poolSize: 4, statementTimeoutSeconds: 3 } };
    expect(load({}, file).store).toMatchObject({
      url: "postgres://file@db/a",
      poolSize: 4,
      statementTimeoutMs: 3000,
    });
    expect(load({ AUTOFIX_DATABASE_URL: "postgresql://env@db/b" }, file).store.url).toBe(
      "postgresql://env@db/b",
    );
    expect(load({ AUTOFIX_REPLICA_ID: "autofix-2" }).store.replicaId).toBe("autofix-2");
  });

  it("scrubs the database password like any secret", () => {
    const config = load({ AUTOFIX_DATABASE_URL: "postgres://autofix:pa%24%24word-123@db:5432/autofix" });
    expect(configSecrets(config)).toContain("pa$$word-123");
  });

  it.each([
    [{ AUTOFIX_DATABASE_URL: "mysql://db/a" }, /must be a postgres:\/\/ URL/],
    [{ AUTOFIX_DATABASE_URL: "not a url" }, /is not a URL/],
    [{ AUTOFIX_REPLICA_ID: "a b" }, /may hold only letters/],
  ])("refuses %j", (env, message) => {
    let error: unknown;
    try {
      load(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).kind).toBe("config");
    expect((error as AppError).message).toMatch(message);
  });

  it("rejects unknown store keys", () => {
    expect(() => load({}, { store: { host: "db" } })).toThrow(/store/);
  });
});
