import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { locateFrames } from "../../src/code/frame-files.ts";
import { RepositoryRegistry } from "../../src/code/repositories.ts";
import { type Config, loadConfig } from "../../src/config.ts";
import type { Context } from "../../src/context.ts";
import { AppError } from "../../src/errors.ts";
import { createLogger } from "../../src/log.ts";
import { demoScenario } from "../../src/sandbox/demo/index.ts";
import { type SandboxHandle, startSandbox } from "../../src/sandbox/server.ts";
import { type FakeGitHub, startFakeGitHub } from "../fakes/github.ts";
import { buildFixtureRepo, type FixtureRepo } from "../fixtures/rules-repo/build.ts";
import { testContext } from "../helpers/context.ts";
import { frame } from "../helpers/frames.ts";

const mapping = (
  projectSlug: string,
  repoName: string,
  stackRoot: string,
  sourceRoot: string,
  provider = "github",
) => ({
  id: `${projectSlug}-${stackRoot}`,
  projectId: "1",
  projectSlug,
  repoId: "7",
  repoName,
  integrationId: "5",
  provider: { key: provider, name: provider },
  stackRoot,
  sourceRoot,
  defaultBranch: "main",
});

let repo: FixtureRepo;
let github: FakeGitHub;
let sandbox: SandboxHandle;
let tmp: string;

beforeAll(async () => {
  repo = buildFixtureRepo();
  github = await startFakeGitHub({ repos: { "acme/monorepo": { dir: repo.dir } }, token: null });
  sandbox = await startSandbox({
    scenario: {
      ...demoScenario(),
      codeMappings: [
        mapping("orders-api", "acme/monorepo", "/app/", "services/orders/"),
        mapping("orders-api", "acme/monorepo", "/opt/legacy/", "libs/util/"),
        mapping("payments", "acme/monorepo", "app/", "services/payments/app/"),
        mapping("storefront", "acme/private-frontend", "webpack:///./", ""),
        mapping("storefront", "acme/gitlab-thing", "/x/", "", "gitlab"),
      ],
    },
  });
  tmp = mkdtempSync(join(tmpdir(), "autofix-repos-"));
});
afterAll(async () => {
  await github?.close();
  await sandbox?.close();
  repo?.cleanup();
  rmSync(tmp, { recursive: true, force: true });
});

function context(file: Record<string, unknown> = {}, argv: string[] = ["--transport", "http"]): Context {
  const path = join(tmp, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(file));
  return testContext({
    sentryUrl: sandbox.url,
    env: { GITHUB_API_URL: github.url },
    argv: [...argv, "--config", path],
  });
}

describe("configuration", () => {
  const load = (argv: string[], env: Record<string, string>, file?: unknown): Config => {
    const result = loadConfig({
      argv: file ? [...argv, "--config", "/c.json"] : argv,
      env,
      cwd: "/work/x",
      readFile: () => JSON.stringify(file),
    });
    if (result.action !== "run") throw new Error(result.action);
    return result.config;
  };
  const fails = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      return (error as AppError).message;
    }
    throw new Error("expected a config error");
  };

  it("reads GITHUB_TOKEN and GITHUB_API_URL, defaulting to api.github.com", () => {
    expect(load([], {}).github).toMatchObject({ token: null, apiUrl: "https://api.github.com" });
    expect(
      load([], { GITHUB_TOKEN: "ghp_x", GITHUB_API_URL: "https://ghe.example.com/api/v3/" }).github,
    ).toMatchObject({
      token: "ghp_x",
      apiUrl: "https://ghe.example.com/api/v3",
    });
    expect(fails(() => load([], { GITHUB_API_URL: "http://ghe.example.com/api/v3" }))).toMatch(
      /must use https/,
    );
    expect(load(["--allow-http"], { GITHUB_API_URL: "http://ghe.internal/api/v3" }).github.apiUrl).toBe(
      "http://ghe.internal/api/v3",
    );
    expect(fails(() => load([], { GITHUB_API_URL: "not a url" }))).toMatch(/is not a URL/);
  });

  it("checks configured repositories against allowedRepositories", () => {
    const file = {
      allowedRepositories: ["acme/*"],
      repositories: [{ name: "acme/orders", github: "acme/orders" }],
    };
    expect(load([], {}, file).allowedRepositories).toEqual(["acme/*"]);
    expect(fails(() => load(["--repo", "/src/elsewhere"], {}, file))).toMatch(
      /"elsewhere" is configured but not in allowedRepositories/,
    );
  });

  it("uses the working directory's checkout only in stdio mode", () => {
    expect(load([], {}).workingDirectory).toBe("/work/x");
    expect(load(["--transport", "http"], {}).workingDirectory).toBeNull();
  });
});

describe("the repository registry", () => {
  it("defaults to the working directory's checkout, named after its origin remote", () => {
    const result = loadConfig({ argv: [], env: {}, cwd: join(repo.dir, "services/orders") });
    if (result.action !== "run") throw new Error();
    const registry = new RepositoryRegistry({
      config: result.config,
      sentry: null as never,
      logger: createLogger("silent"),
    });
    expect(registry.all().map((r) => [r.name, r.source])).toEqual([["acme/monorepo", "cwd"]]);
    expect(registry.pick().name).toBe("acme/monorepo");
    expect(registry.repositoriesFor("anything").map((r) => r.name)).toEqual(["acme/monorepo"]);
  });

  it("says how to configure a repository when there is none", () => {
    const ctx = context();
    expect(() => ctx.repos.pick()).toThrow(/no repository is configured/);
  });

  it("serves projects from the config, and refuses names it was not given unless the allowlist covers them", () => {
    const ctx = context({
      repositories: [
        { name: "orders", path: repo.dir, projects: ["orders-api"], pathPrefix: "services/orders" },
        { name: "acme/web", github: "acme/web", projects: ["storefront"] },
      ],
    });
    expect(ctx.repos.repositoriesFor("orders-api").map((r) => r.name)).toEqual(["orders"]);
    expect(ctx.repos.repositoriesFor("payments")).toEqual([]);
    expect(ctx.repos.byName("ACME/WEB")?.host.kind).toBe("github");
    // A checkout is also known by its origin remote's owner/name, which is how Sentry names it.
    expect(ctx.repos.byName("orders")?.github).toBe("acme/monorepo");
    expect(ctx.repos.byName("acme/monorepo")?.name).toBe("orders");
    expect(ctx.repos.byName("evil/repo")).toBeUndefined();
    const allowing = context({ allowedRepositories: ["acme/*"] });
    expect(allowing.repos.byName("acme/anything")?.source).toBe("allowlist");
    expect(allowing.repos.byName("evil/repo")).toBeUndefined();
  });

  it("finds a project's repository through Sentry's code mappings, within the allowlist", async () => {
    const ctx = context({ allowedRepositories: ["acme/monorepo"] });
    const orders = await ctx.repos.forProject("acme", "orders-api");
    expect(
      orders.repositories.map((r) => [r.repo.name, r.repo.source, r.repo.host.kind, r.mappings.length]),
    ).toEqual([["acme/monorepo", "sentry", "github", 2]]);
    const front = await ctx.repos.forProject("acme", "storefront");
    expect(front.repositories).toEqual([]);
    expect(front.notes.join("\n")).toMatch(
      /acme\/private-frontend, which allowedRepositories does not include/,
    );
    expect(front.notes.join("\n")).toMatch(/No repository is configured or mapped/);
  });
});

describe("locating frames", () => {
  it("reads the event's release commit and applies every stack root of the project's code mappings", async () => {
    const ctx = context();
    const frames = [
      frame({ absPath: "/app/src/routes/orders.ts", filename: "src/routes/orders.ts" }),
      frame({ absPath: "/opt/legacy/strings.ts" }),
      frame({ absPath: "/app/node_modules/express/lib/router/index.js", inApp: false }),
      frame({ absPath: "/app/dist/server.js" }),
    ];
    const located = await locateFrames(
      { repos: ctx.repos, sentry: ctx.sentry, logger: ctx.logger },
      {
        org: "acme",
        project: "orders-api",
        frames,
        release: { version: `orders-api@${repo.commits.coupon.slice(0, 12)}` },
      },
    );
    expect(located.refs).toEqual([
      {
        repo: "acme/monorepo",
        ref: repo.commits.coupon.slice(0, 12),
        sha: repo.commits.coupon,
        fromRelease: true,
      },
    ]);
    expect(located.frames.map((f) => f.path)).toEqual([
      "services/orders/src/routes/orders.ts",
      "libs/util/strings.ts",
      null,
      null,
    ]);
    expect(located.frames[0]!.reason).toMatch(/code mapping/);
    expect(located.frames[2]!.reason).toMatch(/third-party package express/);
    expect(located.frames[3]!.reason).toMatch(/no file in the repository matches/);
    // libs/util/strings.ts was renamed after the release: at the default branch the frame would not map.
    const atHead = await locateFrames(
      { repos: ctx.repos, sentry: ctx.sentry, logger: ctx.logger },
      { org: "acme", project: "orders-api", frames: [frames[1]!], release: { version: "orders-api@0.0.0" } },
    );
    expect(atHead.refs[0]).toMatchObject({ ref: "main", fromRelease: false });
    expect(atHead.frames[0]!.path).toBeNull();
  });

  it("asks Sentry's stacktrace-link for in-app frames nothing else resolved", async () => {
    sandbox.fail({
      match: "/code-mappings/",
      status: 403,
      message: "You do not have permission to perform this action.",
    });
    try {
      const ctx = context({ repositories: [{ name: "checkout", path: repo.dir, projects: ["orders-api"] }] });
      const located = await locateFrames(
        { repos: ctx.repos, sentry: ctx.sentry, logger: ctx.logger },
        {
          org: "acme",
          project: "orders-api",
          frames: [frame({ absPath: "/opt/legacy/index.ts", filename: "/opt/legacy/index.ts" })],
        },
      );
      expect(located.notes.join()).toMatch(/code mappings could not be read/);
      expect(located.frames[0]).toMatchObject({
        repo: "checkout",
        path: "libs/util/index.ts",
        reason: "Sentry's stacktrace-link",
      });
    } finally {
      sandbox.faults.clear();
    }
  });
});

describe("the sandbox's code-mapping endpoints", () => {
  it("lists code mappings, filtered by project", async () => {
    const ctx = context();
    const all = await ctx.sentry.getJson("acme", "/organizations/acme/code-mappings/");
    expect((all.body as unknown[]).length).toBe(5);
    const one = await ctx.sentry.getJson("acme", "/organizations/acme/code-mappings/", {
      project: "payments",
    });
    expect(one.body).toEqual([
      expect.objectContaining({
        stackRoot: "app/",
        sourceRoot: "services/payments/app/",
        repoName: "acme/monorepo",
      }),
    ]);
  });

  it("answers stacktrace-link like Sentry, errors included", async () => {
    const ctx = context();
    const link = async (project: string, file: string) =>
      (await ctx.sentry.getJson("acme", `/projects/acme/${project}/stacktrace-link/`, { file }))
        .body as Record<string, unknown>;
    expect(await link("payments", "app/charges.py")).toMatchObject({
      sourcePath: "services/payments/app/charges.py",
      sourceUrl: "https://github.com/acme/monorepo/blob/main/services/payments/app/charges.py",
      config: expect.objectContaining({ repoName: "acme/monorepo" }),
    });
    expect(await link("payments", "/usr/lib/x.py")).toMatchObject({
      config: null,
      error: "stack_root_mismatch",
    });
    sandbox.store.scenario.codeMappings = sandbox.store.scenario.codeMappings!.filter(
      (m) => m.projectSlug !== "payments",
    );
    try {
      expect(await link("payments", "app/charges.py")).toMatchObject({
        config: null,
        error: "no_code_mappings_for_project",
      });
    } finally {
      sandbox.store.scenario.codeMappings!.push(
        mapping("payments", "acme/monorepo", "app/", "services/payments/app/"),
      );
    }
  });
});
