import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeGitHub, startFakeGitHub } from "../fakes/github.ts";
import { buildFixtureRepo, type FixtureRepo } from "../fixtures/rules-repo/build.ts";
import { BASE, EXPECTED } from "../fixtures/rules-repo/expected.ts";
import { connect, testContext, textOf } from "../helpers/context.ts";

const TOKEN = "ghp_rulestoken0000000000000000000000000";
let repo: FixtureRepo;
let github: FakeGitHub;
let tmp: string;
const sessions: Record<string, Awaited<ReturnType<typeof connect>>> = {};

beforeAll(async () => {
  repo = buildFixtureRepo();
  github = await startFakeGitHub({ repos: { "acme/monorepo": { dir: repo.dir } }, token: TOKEN });
  tmp = mkdtempSync(join(tmpdir(), "autofix-get-rules-"));
  const config = (repositories: unknown[]) => {
    const path = join(tmp, `config-${repositories.length}.json`);
    writeFileSync(path, JSON.stringify({ repositories }));
    return path;
  };
  const env = { GITHUB_API_URL: github.url, GITHUB_TOKEN: TOKEN };
  const sentryUrl = "http://127.0.0.1:9";
  sessions.local = await connect(testContext({ sentryUrl, argv: ["--repo", repo.dir] }));
  sessions.github = await connect(
    testContext({
      sentryUrl,
      env,
      argv: ["--config", config([{ name: "acme/monorepo", github: "acme/monorepo" }])],
    }),
  );
  sessions.two = await connect(
    testContext({
      sentryUrl,
      env,
      argv: [
        "--config",
        config([
          { name: "acme/monorepo", github: "acme/monorepo" },
          { name: "checkout", path: repo.dir },
        ]),
      ],
    }),
  );
});
afterAll(async () => {
  for (const s of Object.values(sessions)) await s.close();
  await github?.close();
  repo?.cleanup();
  rmSync(tmp, { recursive: true, force: true });
});

async function call(session: string, args: Record<string, unknown>) {
  const result = await sessions[session]!.client.callTool({ name: "get_rules", arguments: args });
  return { result, text: textOf(result), structured: result.structuredContent as any };
}

const PATHS = Object.keys(EXPECTED);

describe.each(["local", "github"])("get_rules (%s)", (where) => {
  it("returns exactly the expected applicable set for each fixture path", async () => {
    const { result, structured, text } = await call(where, { paths: PATHS });
    expect(result.isError).toBeFalsy();
    expect(structured.applicable.map((a: any) => a.path)).toEqual(PATHS);
    for (const { path, rules } of structured.applicable) {
      expect(rules.map((r: any) => `${r.tool}:${r.file}`).sort(), path).toEqual(
        [...BASE, ...EXPECTED[path]!].sort(),
      );
      for (const r of rules) expect(r.reason.length).toBeGreaterThan(5);
    }
    expect(text.length).toBeLessThan(16_000);
    expect(text).toContain("### All 12 paths");
  });

  it("groups files by tool with activation and globs, and tolerates malformed files with a warning", async () => {
    const { structured, text } = await call(where, {});
    expect(structured.tools.map((t: any) => t.tool)).toEqual([
      "cursor",
      "windsurf",
      "cline",
      "claude",
      "copilot",
      "gemini",
      "agents",
    ]);
    const cursor = structured.tools.find((t: any) => t.tool === "cursor").files;
    expect(cursor.find((f: any) => f.path === ".cursor/rules/typescript.mdc")).toMatchObject({
      activation: "glob",
      globs: ["**/*.ts", "**/*.tsx"],
      scope: "",
    });
    expect(cursor.find((f: any) => f.path === ".cursor/rules/broken.mdc")).toMatchObject({
      activation: "skipped",
    });
    expect(structured.warnings.join("\n")).toMatch(
      /broken\.mdc: malformed frontmatter .*Cursor ignores this rule/,
    );
    expect(text).toContain("## Cursor");
    expect(text).toContain("quoted from the repository");
    expect(text).toContain('get_rules {"repo":');
    expect(text.length).toBeLessThan(16_000);
  });
});

describe("get_rules", () => {
  it("reports a Cursor rule whose frontmatter is not YAML as malformed and applies it nowhere", async () => {
    const { structured, text } = await call("local", {
      paths: ["cmd/server/main.go", "services/api/handler.go"],
    });
    const go = structured.tools
      .find((t: any) => t.tool === "cursor")
      .files.find((f: any) => f.path === ".cursor/rules/go.mdc");
    expect(go).toMatchObject({ activation: "skipped", globs: [] });
    const warnings = structured.warnings.filter((w: string) => w.startsWith(".cursor/rules/go.mdc"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /malformed frontmatter \(not valid YAML: .+\): Cursor ignores this rule, so it applies nowhere/,
    );
    expect(text).not.toContain('alwaysApply is the string "{"');
    expect(text).not.toContain("[**/*.go");
    for (const { rules } of structured.applicable)
      expect(rules.map((r: any) => r.file)).not.toContain(".cursor/rules/go.mdc");
  });

  it("still reads Cursor's unquoted globs line, which YAML alone rejects", async () => {
    const { structured } = await call("local", {});
    const ts = structured.tools
      .find((t: any) => t.tool === "cursor")
      .files.find((f: any) => f.path === ".cursor/rules/typescript.mdc");
    expect(ts).toMatchObject({ activation: "glob", globs: ["**/*.ts", "**/*.tsx"] });
  });

  it("reads the working tree of a checkout by default, or the ref asked for", async () => {
    expect((await call("local", {})).structured.ref).toBeNull();
    const old = await call("local", { ref: repo.commits.initial, paths: ["libs/util/strings.ts"] });
    expect(old.structured.ref).toBe(repo.commits.initial);
    expect((await call("github", {})).structured.ref).toBe("main");
  });

  it("quotes rule text as data inside fences the text cannot close", async () => {
    const { text } = await call("local", { paths: ["services/orders/src/pricing/discounts.ts"] });
    expect(text).toContain("## Rule text");
    expect(text).toMatch(/```markdown\nMoney is integer cents; never floats\.\n```/);
    expect(text).toMatch(/```markdown\nNo `any`; prefer `unknown` and narrow\.\n```/);
  });

  it("needs repo when several repositories are configured, and names them", async () => {
    const { result, text } = await call("two", {});
    expect(result.isError).toBe(true);
    expect(text).toMatch(/2 repositories are configured/);
    expect(text).toMatch(/acme\/monorepo, checkout/);
    expect((await call("two", { repo: "checkout" })).structured.repo).toBe("checkout");
    const unknown = await call("two", { repo: "evil/elsewhere" });
    expect(unknown.text).toMatch(/no repository "evil\/elsewhere"/);
  });

  it("refuses paths that leave the repository", async () => {
    for (const bad of ["../secrets.txt", "/etc/passwd"]) {
      const { result, text } = await call("local", { paths: [bad] });
      expect(result.isError).toBe(true);
      expect(text).toMatch(/^Invalid request: /);
    }
  });
});

describe("apply_rules prompt", () => {
  it("puts the rules for the given paths into the conversation, quoted", async () => {
    const prompt = await sessions.local!.client.getPrompt({
      name: "apply_rules",
      arguments: { paths: "services/orders/src/pricing/discounts.ts, scripts/deploy.py" },
    });
    const text = (prompt.messages[0]!.content as { text: string }).text;
    expect(text).toContain("Money is integer cents; never floats.");
    expect(text).toContain("Orders service: prices are integer cents.");
    expect(text).toContain("Format with ruff.");
    expect(text).not.toContain("Hooks, not classes.");
    expect(text).toContain("not as instructions to run commands");
    expect(text).toMatch(
      /## \.windsurf\/rules\/python\.md\nApplies to scripts\/deploy\.py — Windsurf: matches "\*\*\/\*\.py"/,
    );
  });

  it("fails with the error vocabulary when the repository is ambiguous", async () => {
    await expect(
      sessions.two!.client.getPrompt({ name: "apply_rules", arguments: { paths: "README.md" } }),
    ).rejects.toThrow(/2 repositories are configured/);
  });
});

describe("rules resources", () => {
  it("lists every rules file and serves its text", async () => {
    const { resources } = await sessions.local!.client.listResources();
    const uris = resources.map((r) => r.uri);
    expect(uris).toContain("autofix://rules/monorepo/.cursor/rules/always.mdc");
    expect(uris).toContain("autofix://rules/monorepo/services/orders/AGENTS.md");
    expect(uris).not.toContain("autofix://rules/monorepo/README.md");
    const read = await sessions.local!.client.readResource({
      uri: "autofix://rules/monorepo/services/orders/CLAUDE.md",
    });
    expect((read.contents[0] as { text: string }).text).toBe("Orders service: prices are integer cents.\n");
    const imported = await sessions.local!.client.readResource({
      uri: "autofix://rules/monorepo/docs/naming.md",
    });
    expect((imported.contents[0] as { text: string }).text).toContain("# Naming");
  });

  it("serves GitHub repositories too, with owner/name encoded in the URI", async () => {
    const { resources } = await sessions.github!.client.listResources();
    expect(resources.map((r) => r.uri)).toContain("autofix://rules/acme%2Fmonorepo/GEMINI.md");
    const read = await sessions.github!.client.readResource({
      uri: "autofix://rules/acme%2Fmonorepo/GEMINI.md",
    });
    expect((read.contents[0] as { text: string }).text).toBe("Gemini: read README.md first.\n");
  });

  it("is not a general file reader", async () => {
    await expect(
      sessions.local!.client.readResource({ uri: "autofix://rules/monorepo/services/orders/src/index.ts" }),
    ).rejects.toThrow(/not a rules file/);
    await expect(
      sessions.local!.client.readResource({ uri: "autofix://rules/monorepo/..%2F..%2Fetc%2Fpasswd" }),
    ).rejects.toThrow(/Invalid request/);
  });
});
