import { describe, expect, it } from "vitest";
import type { CodeHost } from "../../src/code/types.ts";
import { discoverRuleFiles } from "../../src/rules/discover.ts";
import { parseCursorFrontmatter, parseFrontmatter, splitPatterns } from "../../src/rules/frontmatter.ts";
import { findImports } from "../../src/rules/imports.ts";
import { applicableFor, loadRules } from "../../src/rules/index.ts";

/** A code host over an in-memory file map: enough for loadRules. */
function memoryHost(files: Record<string, string>): CodeHost {
  const fail = () => Promise.reject(new Error("not in a memory host"));
  return {
    kind: "local",
    repoName: "mem",
    defaultBranch: async () => "main",
    resolveRef: async () => "0".repeat(40),
    listFiles: async () => Object.keys(files),
    readFile: async (path) => files[path] ?? null,
    log: fail,
    blame: fail,
    diff: fail,
  };
}

const keys = async (files: Record<string, string>, path: string) =>
  applicableFor(await loadRules(memoryHost(files)), path).map((r) => `${r.tool}:${r.file}`);

describe("frontmatter", () => {
  it("reads YAML, and Cursor's not-quite-YAML globs line by line", () => {
    expect(parseFrontmatter("---\ndescription: x\nalwaysApply: true\n---\nbody\n")).toMatchObject({
      present: true,
      data: { description: "x", alwaysApply: true },
      body: "body\n",
      yamlError: null,
      malformed: null,
    });
    const cursor = parseFrontmatter("---\nglobs: **/*.ts, src/{a,b}/*.tsx\nalwaysApply: false\n---\n");
    expect(cursor.yamlError).not.toBeNull();
    expect(cursor.malformed).toBeNull();
    expect(cursor.data).toEqual({ globs: "**/*.ts, src/{a,b}/*.tsx", alwaysApply: false });
  });

  it('keeps a quoted "true" a string, and an empty key null', () => {
    expect(parseFrontmatter('---\nalwaysApply: "true"\nglobs:\n---\n').data).toEqual({
      alwaysApply: "true",
      globs: null,
    });
    expect(parseFrontmatter("---\nglobs: *.ts\nalwaysApply: 'true'\nglobs2:\n---\n").data).toMatchObject({
      alwaysApply: "true",
      globs2: null,
    });
  });

  it("reports what it cannot read at all", () => {
    expect(parseFrontmatter("---\ndescription: x\nnot a pair\n---\n").malformed).toMatch(/line 2/);
    expect(parseFrontmatter("---\ndescription: x\nno closing fence\n").malformed).toMatch(/no closing/);
    expect(parseFrontmatter("no frontmatter").present).toBe(false);
    expect(parseFrontmatter("\uFEFF---\r\ntrigger: glob\r\n---\r\nx").data).toEqual({ trigger: "glob" });
  });

  it("reads Cursor's frontmatter as YAML but for the globs line, and gives up on anything else", () => {
    expect(parseCursorFrontmatter("---\nglobs: **/*.ts, src/**\nalwaysApply: false\n---\nx").data).toEqual({
      globs: "**/*.ts, src/**",
      alwaysApply: false,
    });
    expect(parseCursorFrontmatter("---\nglobs: [**/*.go, cmd/**]\n---\nx").data).toEqual({
      globs: ["**/*.go", "cmd/**"],
    });
    const broken = parseCursorFrontmatter("---\ndescription: Go\nglobs: *.go\nalwaysApply: {\n---\nx");
    expect(broken.data).toEqual({});
    expect(broken.malformed).toMatch(/^not valid YAML: /);
    expect(parseCursorFrontmatter("---\ndescription: x\n---\nbody").malformed).toBeNull();
  });

  it("splits pattern lists on commas outside braces and brackets", () => {
    expect(splitPatterns(" \"src/**/*.{ts,tsx}\", lib/[a,b]*.js ,, '*.md'")).toEqual([
      "src/**/*.{ts,tsx}",
      "lib/[a,b]*.js",
      "*.md",
    ]);
  });
});

describe("discovery", () => {
  it("classifies every location and skips vendored trees", () => {
    const found = discoverRuleFiles([
      "a/b/.cursor/rules/x/y.mdc",
      ".clinerules",
      ".cline/rules/a.txt",
      "pkg/.claude/CLAUDE.md",
      "pkg/CLAUDE.local.md",
      "node_modules/lib/AGENTS.md",
      ".github/instructions/a.instructions.md",
      ".github/instructions/readme.md",
      "src/GEMINI.md",
      "src/app.ts",
    ]);
    expect(found.map((f) => [f.file, f.tool, f.scopeDir]).sort()).toEqual(
      [
        [".clinerules", "cline", ""],
        [".cline/rules/a.txt", "cline", ""],
        ["pkg/CLAUDE.local.md", "claude", "pkg"],
        ["src/GEMINI.md", "gemini", "src"],
        ["pkg/.claude/CLAUDE.md", "claude", "pkg"],
        [".github/instructions/a.instructions.md", "copilot", ""],
        ["a/b/.cursor/rules/x/y.mdc", "cursor", "a/b"],
      ].sort(),
    );
  });
});

describe("tool semantics", () => {
  it("Cline: a single .clinerules file applies everywhere; no .clinerules means Cline falls back to others", async () => {
    expect(await keys({ ".clinerules": "Be brief." }, "src/a.ts")).toEqual(["cline:.clinerules"]);
    const set = await loadRules(memoryHost({ ".cursorrules": "x" }));
    expect(set.warnings.join()).toMatch(/no \.clinerules: Cline falls back/);
  });

  it("Copilot and Cline: *.py matches only top-level files; Cursor matches it by file name", async () => {
    const files = {
      ".github/instructions/py.instructions.md": '---\napplyTo: "*.py"\n---\nx',
      ".clinerules/py.md": '---\npaths: ["*.py"]\n---\nx',
      ".cursor/rules/py.mdc": "---\nglobs: *.py\n---\nx",
    };
    expect(await keys(files, "setup.py")).toEqual([
      "cursor:.cursor/rules/py.mdc",
      "cline:.clinerules/py.md",
      "copilot:.github/instructions/py.instructions.md",
    ]);
    expect(await keys(files, "src/app.py")).toEqual(["cursor:.cursor/rules/py.mdc"]);
  });

  it("Copilot: ** matches everything, src/*.py only direct children, excludeAgent is reported", async () => {
    const files = {
      ".github/instructions/all.instructions.md": '---\napplyTo: "**"\nexcludeAgent: "coding-agent"\n---\nx',
      ".github/instructions/src.instructions.md": '---\napplyTo: "src/*.py"\n---\nx',
    };
    expect(await keys(files, "src/a.py")).toEqual([
      "copilot:.github/instructions/all.instructions.md",
      "copilot:.github/instructions/src.instructions.md",
    ]);
    expect(await keys(files, "src/deep/a.py")).toEqual(["copilot:.github/instructions/all.instructions.md"]);
    const rule = applicableFor(await loadRules(memoryHost(files)), "x")[0]!;
    expect(rule.reason).toMatch(/not used by coding-agent/);
  });

  it("AGENTS.md: only the nearest applies; nested .cursor/rules apply only inside their folder", async () => {
    const files = {
      "AGENTS.md": "root",
      "apps/web/AGENTS.md": "web",
      "apps/web/.cursor/rules/always.mdc": "---\nalwaysApply: true\n---\nweb only",
    };
    expect(await keys(files, "apps/web/src/a.ts")).toEqual([
      "cursor:apps/web/.cursor/rules/always.mdc",
      "agents:apps/web/AGENTS.md",
    ]);
    expect(await keys(files, "apps/api/a.ts")).toEqual(["agents:AGENTS.md"]);
  });

  it("Windsurf: glob trigger without globs never fires, unknown trigger is manual, the 12,000 total is flagged", async () => {
    const files = {
      ".windsurf/rules/a.md": "---\ntrigger: glob\n---\nx",
      ".windsurf/rules/b.md": "---\ntrigger: sometimes\n---\nx",
      ".windsurf/rules/c.md": `---\ntrigger: always_on\n---\n${"y".repeat(5900)}`,
      ".windsurfrules": "z".repeat(5900),
      ".windsurf/rules/d.md": `---\ntrigger: always_on\n---\n${"w".repeat(1000)}`,
    };
    const set = await loadRules(memoryHost(files));
    const by = (f: string) => set.sources.find((s) => s.file === f)!;
    expect(by(".windsurf/rules/a.md")).toMatchObject({ activation: "never" });
    expect(by(".windsurf/rules/b.md")).toMatchObject({ activation: "manual" });
    expect(by(".windsurf/rules/b.md").warnings.join()).toMatch(/unknown trigger "sometimes"/);
    expect(set.warnings.join()).toMatch(/Windsurf rules total 12,\d{3} characters/);
  });

  it("Claude Code: nested CLAUDE.md files stack from the root down; .claude/rules paths accept one comma string", async () => {
    const files = {
      "CLAUDE.md": "root",
      "apps/CLAUDE.md": "apps",
      "apps/web/CLAUDE.md": "web",
      ".claude/rules/ts.md": '---\npaths: "apps/**/*.ts, lib/*.ts"\n---\nx',
    };
    expect(await keys(files, "apps/web/a.ts")).toEqual([
      "claude:CLAUDE.md",
      "claude:apps/CLAUDE.md",
      "claude:apps/web/CLAUDE.md",
      "claude:.claude/rules/ts.md",
    ]);
    expect(await keys(files, "lib/x.ts")).toEqual(["claude:CLAUDE.md", "claude:.claude/rules/ts.md"]);
  });
});

describe("@imports", () => {
  it("follows up to five hops and says where it stopped", async () => {
    const files: Record<string, string> = { "CLAUDE.md": "@d/1.md" };
    for (let i = 1; i <= 7; i++) files[`d/${i}.md`] = `level ${i} @${i + 1}.md`;
    const set = await loadRules(memoryHost(files));
    const rules = applicableFor(set, "x.ts").map((r) => r.file);
    expect(rules).toEqual(["CLAUDE.md", "d/1.md", "d/2.md", "d/3.md", "d/4.md", "d/5.md"]);
    expect(set.sources.find((s) => s.file === "d/5.md")!.warnings.join()).toMatch(/6 hops .* stop at 5/);
  });

  it("resolves relative to the importing file and ignores code, mentions and package names", () => {
    const refs = findImports(
      "docs/CLAUDE.md",
      "See @./a.md, @../b.md and @c/d.md.\n`@e.md` @team @acme/pkg x@y.md\n~~~\n@f.md\n~~~\n",
    );
    expect(refs.map((r) => r.path)).toEqual(["docs/a.md", "b.md", "docs/c/d.md"]);
    expect(findImports("CLAUDE.md", "@../../etc/passwd.md @/etc/x.md").map((r) => r.path)).toEqual([
      null,
      null,
    ]);
  });

  it("applies GEMINI.md imports too, and warns about missing targets", async () => {
    const set = await loadRules(memoryHost({ "GEMINI.md": "@style.md @missing.md", "style.md": "s" }));
    expect(applicableFor(set, "a").map((r) => `${r.tool}:${r.file}`)).toEqual([
      "gemini:GEMINI.md",
      "gemini:style.md",
    ]);
    expect(set.sources[0]!.warnings.join()).toMatch(/@missing.md: no such file/);
  });
});

it("turns an unreadable rules file into a warning, not a failure", async () => {
  const host = memoryHost({ "AGENTS.md": "x", "CLAUDE.md": "y" });
  host.readFile = async (path) => {
    if (path === "CLAUDE.md")
      throw new Error("CLAUDE.md is a symlink that leads outside the repository; it is not read.");
    return "x";
  };
  const set = await loadRules(host);
  expect(set.sources.map((s) => s.file)).toEqual(["AGENTS.md"]);
  expect(set.warnings.join()).toMatch(/CLAUDE.md skipped: .*outside the repository/);
});
