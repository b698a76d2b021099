import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type CliAction, type Config, loadConfig } from "../../src/config.ts";
import { AppError } from "../../src/errors.ts";

function run(
  argv: string[] = [],
  env: Record<string, string> = {},
  files: Record<string, string> = {},
): Config {
  const result: CliAction = loadConfig({
    argv,
    env,
    cwd: "/work",
    home: "/home/u",
    platform: "linux",
    readFile: (p) => {
      if (!(p in files)) throw Object.assign(new Error("nope"), { code: "ENOENT" });
      return files[p]!;
    },
  });
  if (result.action !== "run") throw new Error(result.action);
  return result.config;
}

function configError(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).kind).toBe("config");
    return error as AppError;
  }
  throw new Error("expected a config error");
}

describe("loadConfig", () => {
  it("defaults to stdio, sentry.io with region discovery, and a state-dir database", () => {
    const c = run();
    expect(c.transport).toBe("stdio");
    expect(c.sentry).toMatchObject({ baseUrl: "https://sentry.io", saas: true, token: null, org: null });
    expect(c.dbPath).toBe("/home/u/.local/state/autofix-mcp/runs.db");
    expect(Object.isFrozen(c.sentry)).toBe(true);
  });

  it("reads the environment", () => {
    const c = run([], {
      SENTRY_ACCESS_TOKEN: "tok",
      SENTRY_HOST: "sentry.example.com/",
      SENTRY_ORG: "acme",
      AUTOFIX_DB: "/tmp/x.db",
    });
    expect(c.sentry).toMatchObject({
      baseUrl: "https://sentry.example.com",
      token: "tok",
      org: "acme",
      saas: false,
    });
    expect(c.dbPath).toBe("/tmp/x.db");
  });

  it("strips /api/0 and keeps a path prefix for self-hosted installs under a path", () => {
    expect(run([], { SENTRY_HOST: "https://example.com/sentry/api/0/" }).sentry.baseUrl).toBe(
      "https://example.com/sentry",
    );
  });

  it("allows http:// on loopback, refuses it elsewhere unless --allow-http", () => {
    expect(run([], { SENTRY_HOST: "http://127.0.0.1:9000" }).sentry.baseUrl).toBe("http://127.0.0.1:9000");
    const error = configError(() => run([], { SENTRY_HOST: "http://sentry.internal" }));
    expect(error.hint).toContain("--allow-http");
    expect(run(["--allow-http"], { SENTRY_HOST: "http://sentry.internal" }).sentry.baseUrl).toBe(
      "http://sentry.internal",
    );
  });

  it("reads HTTP flags and lets flags win over the config file", () => {
    const files = {
      "/work/c.json": JSON.stringify({ http: { port: 1000, host: "0.0.0.0", allowedHosts: ["a.example"] } }),
    };
    const c = run(
      [
        "--config",
        "c.json",
        "--transport",
        "http",
        "--port",
        "4000",
        "--stateless",
        "--allowed-hosts",
        "b.example, c.example",
      ],
      {},
      files,
    );
    expect(c.http).toMatchObject({
      port: 4000,
      host: "0.0.0.0",
      stateless: true,
      allowedHosts: ["b.example", "c.example", "a.example"],
    });
  });

  it("reads repositories from the config file, resolving relative paths against it", () => {
    const files = {
      "/etc/autofix/config.json": JSON.stringify({
        repositories: [
          {
            name: "acme/orders-api",
            path: "../checkouts/orders",
            projects: ["orders-api"],
            defaultBranch: "main",
          },
        ],
      }),
    };
    const c = run([], { AUTOFIX_CONFIG: "/etc/autofix/config.json" }, files);
    expect(c.repositories).toEqual([
      {
        name: "acme/orders-api",
        path: "/etc/checkouts/orders",
        projects: ["orders-api"],
        defaultBranch: "main",
      },
    ]);
  });

  it("adds --repo checkouts", () => {
    expect(run(["--repo", "svc/orders", "--repo", "/abs/web"]).repositories.map((r) => r.path)).toEqual([
      "/work/svc/orders",
      "/abs/web",
    ]);
  });

  it("explains every problem in a bad config file", () => {
    const files = {
      "/work/bad.json": JSON.stringify({ repositores: [], repositories: [{ name: "", path: 3 }] }),
    };
    const error = configError(() => run(["--config", "bad.json"], {}, files));
    expect(error.message).toContain("repositores");
    expect(error.message).toContain("repositories[0].name");
    expect(error.message).toContain("repositories[0].path");
  });

  it("names unreadable and invalid config files", () => {
    expect(configError(() => run(["--config", "missing.json"])).message).toContain("/work/missing.json");
    expect(configError(() => run(["--config", "x.json"], {}, { "/work/x.json": "{nope" })).message).toContain(
      "not valid JSON",
    );
  });

  it("rejects unknown flags, bad ports, bad transports and short HTTP tokens", () => {
    expect(configError(() => run(["--frobnicate"])).hint).toContain("--help");
    expect(configError(() => run(["--port", "99999"])).message).toContain("--port");
    expect(configError(() => run(["--transport", "sse"])).message).toContain("stdio");
    expect(configError(() => run([], { AUTOFIX_HTTP_TOKEN: "short" })).message).toContain(
      "AUTOFIX_HTTP_TOKEN",
    );
  });

  it("gives each tool call a 20 s deadline unless sentry.deadlineSeconds says otherwise", () => {
    expect(run().sentry.deadlineMs).toBe(20_000);
    const files = { "/work/c.json": JSON.stringify({ sentry: { deadlineSeconds: 8 } }) };
    expect(run(["--config", "c.json"], {}, files).sentry.deadlineMs).toBe(8_000);
    const bad = { "/work/b.json": JSON.stringify({ sentry: { deadlineSeconds: 0 } }) };
    expect(configError(() => run(["--config", "b.json"], {}, bad)).message).toContain(
      "sentry.deadlineSeconds",
    );
  });

  it("answers --help and --version without building a config", () => {
    expect(loadConfig({ argv: ["--help"], env: {}, cwd: "/" }).action).toBe("help");
    expect(loadConfig({ argv: ["-v"], env: {}, cwd: "/" }).action).toBe("version");
  });

  it("reads a real config file from disk", () => {
    const dir = mkdtempSync(join(tmpdir(), "autofix-config-"));
    writeFileSync(join(dir, "config.json"), JSON.stringify({ sentry: { org: "from-file" } }));
    const result = loadConfig({ argv: ["--config", join(dir, "config.json")], env: {}, cwd: dir });
    expect(result.action === "run" && result.config.sentry.org).toBe("from-file");
  });
});
