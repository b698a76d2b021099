import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GitHubHost } from "../../src/code/github.ts";
import { LocalGitHost } from "../../src/code/local.ts";
import type { CodeHost } from "../../src/code/types.ts";
import { createLogger } from "../../src/log.ts";
import { applicableFor, applicableRules, loadRules, type RuleSet } from "../../src/rules/index.ts";
import { type FakeGitHub, startFakeGitHub } from "../fakes/github.ts";
import { buildFixtureRepo, type FixtureRepo } from "../fixtures/rules-repo/build.ts";
import { BASE, EXPECTED, NEVER_APPLIED } from "../fixtures/rules-repo/expected.ts";
import { RULE_FILES } from "../fixtures/rules-repo/files.ts";

let repo: FixtureRepo;
let github: FakeGitHub;
const sets: Record<string, RuleSet> = {};

beforeAll(async () => {
  repo = buildFixtureRepo();
  github = await startFakeGitHub({ repos: { "acme/monorepo": { dir: repo.dir } }, token: null });
  const hosts: Record<string, CodeHost> = {
    local: new LocalGitHost("acme/monorepo", repo.dir),
    github: new GitHubHost({
      repo: "acme/monorepo",
      token: null,
      apiUrl: github.url,
      logger: createLogger("silent"),
    }),
  };
  sets.local = await loadRules(hosts.local!);
  sets.github = await loadRules(hosts.github!, "main");
});
afterAll(async () => {
  await github?.close();
  repo?.cleanup();
});

const keys = (set: RuleSet, path: string) => applicableFor(set, path).map((r) => `${r.tool}:${r.file}`);

describe.each(["local", "github"])("rules of the fixture monorepo (%s)", (where) => {
  it.each(Object.entries(EXPECTED))("applies exactly the expected rules to %s", (path, extra) => {
    expect(keys(sets[where]!, path).sort()).toEqual([...BASE, ...extra].sort());
  });

  it("never auto-applies agent-requested, manual, never and skipped rules", () => {
    const applied = new Set(Object.keys(EXPECTED).flatMap((p) => keys(sets[where]!, p)));
    for (const key of NEVER_APPLIED) expect(applied.has(key), key).toBe(false);
  });

  it("finds every rules file, once, with its tool's activation", () => {
    const set = sets[where]!;
    const by = (file: string, tool?: string) =>
      set.sources.find((s) => s.file === file && (!tool || s.tool === tool))!;
    const files = set.sources.filter((s) => s.activation !== "import").map((s) => s.file);
    expect(files.sort()).toEqual(
      Object.keys(RULE_FILES)
        .filter((f) => !f.startsWith("docs/"))
        .sort(),
    );
    expect(by(".cursor/rules/broken.mdc").activation).toBe("skipped");
    expect(by(".cursor/rules/string-true.mdc").activation).toBe("agent_requested");
    expect(by(".cursor/rules/typescript.mdc").patterns).toEqual(["**/*.ts", "**/*.tsx"]);
    expect(by(".cursor/rules/notes.md").confidence).toBe("low");
    expect(by(".clinerules/03-never.md").activation).toBe("never");
    expect(by(".windsurf/rules/review.md").activation).toBe("agent_requested");
    expect(by("services/orders/.cursor/rules/orders.mdc").scopeDir).toBe("services/orders");
    expect(by(".claude/CLAUDE.md").activation).toBe("always");
    expect(by("services/orders/CLAUDE.md").activation).toBe("directory");
    expect(by("AGENTS.md", "agents").activation).toBe("nearest");
    expect(by("docs/naming.md").hop).toBe(2);
  });

  it("warns where a tool would surprise, without failing on malformed files", () => {
    const set = sets[where]!;
    const warn = (file: string) => set.sources.find((s) => s.file === file)!.warnings.join("\n");
    expect(warn(".cursor/rules/broken.mdc")).toMatch(/malformed frontmatter .*Cursor ignores this rule/);
    expect(warn(".cursor/rules/string-true.mdc")).toMatch(/string "true"/);
    expect(warn(".windsurf/rules/huge.md")).toMatch(/truncates each rule file at 6,000/);
    expect(warn(".windsurf/rules/no-trigger.md")).toMatch(/no trigger/);
    expect(warn(".clinerules/04-bad-yaml.md")).toMatch(/Cline cannot parse .* applies the rule everywhere/);
    expect(warn(".claude/rules/python.md")).toMatch(/YAML list/);
    expect(warn(".github/instructions/root-only.instructions.md")).toMatch(/top-level files only/);
    expect(warn("CLAUDE.md")).toMatch(/@~\/\.claude\/acme\.md points outside/);
    expect(warn("docs/naming.md")).toMatch(/import cycle/);
    expect(set.warnings.join("\n")).toMatch(/broken\.mdc/);
  });

  it("does not follow imports inside code spans, fences or e-mail addresses", () => {
    const claude = sets[where]!.sources.find((s) => s.file === "CLAUDE.md")!;
    expect(claude.imports).toEqual(["docs/conventions.md", "AGENTS.md"]);
  });
});

it("reads the same rules locally and through GitHub", () => {
  const shape = (set: RuleSet) =>
    set.sources
      .map((s) => ({ ...s, content: s.content.length }))
      .sort((a, b) => (a.tool + a.file).localeCompare(b.tool + b.file));
  expect(shape(sets.github!)).toEqual(shape(sets.local!));
});

it("unions several paths, naming which path each rule serves", () => {
  const rules = applicableRules(sets.local!, ["scripts/deploy.py", "README.md"]);
  const python = rules.find((r) => r.file === ".windsurf/rules/python.md")!;
  expect(python.paths).toEqual(["scripts/deploy.py"]);
  expect(rules.find((r) => r.file === "CLAUDE.md")!.paths).toEqual(["scripts/deploy.py", "README.md"]);
  expect(rules.find((r) => r.tool === "agents")!.reason).toMatch(/nearest AGENTS.md/);
});
