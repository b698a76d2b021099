import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The layering, written down (like playwright-mcp's DEPS.list): what each part of src/, tools/ and prompts/
 * may import. Data flows one way — tool → stage → (sentry | code | rules | store) → analysis → format — and
 * nothing below the MCP layer knows about MCP. A new import that crosses a line fails here, naming the file.
 */
const BASE = ["src/errors", "src/log", "src/lazy", "src/deadline", "src/hedge", "src/clock", "src/text"];
const DATA = [
  ...BASE,
  "src/config",
  "src/config-automation",
  "src/config-store",
  "src/sentry",
  "src/code",
  "src/rules",
  "src/store",
];
/** What tool and prompt files may use: everything below the MCP layer, plus that layer's own types. */
const FOR_TOOLS = [
  ...DATA,
  "src/contract",
  "src/ui",
  "src/analysis",
  "src/format",
  "src/handoff",
  "src/stages",
  "src/context",
  "src/tool",
  "src/tool-inputs",
  "src/prompt",
  "tools",
];

const LAYERS: Record<string, readonly string[]> = {
  "src/errors": [],
  "src/log": [],
  "src/lazy": [],
  "src/hedge": [],
  "src/clock": [],
  "src/deadline": ["src/errors"],
  "src/text": [],
  "src/contract": BASE,
  "src/config": [...BASE, "src/config-automation", "src/config-store"],
  "src/config-store": BASE,
  "src/config-automation": [...BASE, "src/handoff"],
  "src/sentry": [...BASE, "src/config"],
  // store/open.ts opens SQLite or PostgreSQL as the config says.
  "src/store": [...BASE, "src/contract", "src/config", "src/config-store"],
  "src/code": [...BASE, "src/config", "src/sentry"],
  "src/rules": [...BASE, "src/code", "src/format", "src/contract"],
  "src/analysis": [...BASE, "src/sentry", "src/code", "src/store", "src/contract"],
  "src/format": [...BASE, "src/sentry", "src/analysis", "src/store", "src/contract"],
  "src/handoff": [...DATA, "src/contract", "src/format", "src/context"],
  "src/context": DATA,
  "src/stages": [...DATA, "src/contract", "src/analysis", "src/format", "src/handoff", "src/context"],
  "src/automation": [...DATA, "src/contract", "src/handoff", "src/stages", "src/context"],
  "src/tool": [...BASE, "src/context"],
  "src/tool-inputs": [...BASE, "src/sentry"],
  "src/tool-listing": [...BASE, "src/tool"],
  "src/prompt": [...BASE, "src/context"],
  // The MCP App and operator page: HTML built from stored runs and jobs; the HTTP route lives in transports.
  "src/ui": [...BASE, "src/store", "src/contract"],
  "src/resources": [...DATA, "src/contract", "src/format", "src/context", "src/ui"],
  "src/server": [...FOR_TOOLS, "src/tool-listing", "src/resources", "prompts"],
  "src/transports": [...DATA, "src/context", "src/server", "src/automation", "src/handoff", "src/ui"],
  "src/sandbox": [...DATA, "src/context", "src/sandbox"],
  "src/cli": [...DATA, "src/context", "src/server", "src/transports", "src/automation", "src/sandbox"],
  "src/bin": ["src/cli"],
  tools: FOR_TOOLS,
  prompts: [...FOR_TOOLS, "prompts"],
};

/** Files that may write to stdout: the CLI (--help, --version) and the demo client, which prints its walk. */
const STDOUT_WRITERS = new Set(["src/cli.ts", "src/sandbox/demo-client.ts"]);

const root = resolve(import.meta.dirname, "../..");

function sources(dir: string): string[] {
  return readdirSync(resolve(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|js)$/.test(e.name))
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .filter((f) => !f.startsWith("src/sandbox/demo/repos/")); // sample repositories, embedded as text
}

/** The layer a file belongs to: its folder under src/ (or the file itself at src/'s top), tools or prompts. */
function layerOf(file: string): string {
  const parts = file.split("/");
  if (parts[0] !== "src") return parts[0]!;
  return parts.length === 2 ? `src/${parts[1]!.replace(/\.(ts|js)$/, "")}` : `src/${parts[1]}`;
}

function allowed(from: string, to: string): boolean {
  const a = layerOf(from);
  const b = layerOf(to);
  return a === b || (LAYERS[a]?.includes(b) ?? false);
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'";]*?\sfrom\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

function importsOf(file: string): string[] {
  const text = readFileSync(resolve(root, file), "utf8");
  return [...text.matchAll(IMPORT)]
    .map((m) => (m[1] ?? m[2])!)
    .filter((spec) => spec.startsWith(".") && !spec.endsWith(".json"))
    .map((spec) => normalize(join(dirname(file), spec)));
}

const files = ["src", "tools", "prompts"].flatMap(sources);

describe("the layering", () => {
  it("gives every file a layer the table knows", () => {
    expect(files.map(layerOf).filter((l) => !(l in LAYERS))).toEqual([]);
  });

  it("has no import the layer table forbids", () => {
    const bad = files.flatMap((f) =>
      importsOf(f)
        .filter((to) => !allowed(f, to))
        .map((to) => `${f} → ${to}`),
    );
    expect(bad).toEqual([]);
  });

  it("forbids the upward imports that once crept in", () => {
    for (const [from, to] of [
      ["src/stages/root-cause/index.ts", "src/tool.ts"], // stages knew the MCP tool-call context
      ["src/automation/pipeline.ts", "src/tool.ts"],
      ["src/analysis/evidence.ts", "src/format/clip.ts"], // analysis ↔ format
      ["src/config.ts", "src/code/allowlist.ts"], // config ↔ code
      ["src/sentry/issue-completion.ts", "src/context.ts"], // sentry ↔ context
      ["src/format/root-cause.ts", "src/stages/root-cause/index.ts"],
      ["src/sentry/client.ts", "src/code/types.ts"],
      ["src/analysis/trace-walk.ts", "src/stages/gather.ts"],
      ["src/handoff/brief.ts", "src/stages/handoff.ts"],
      ["src/code/mapping.ts", "tools/get-issue.ts"],
    ] as const) {
      expect(allowed(from, to), `${from} → ${to}`).toBe(false);
    }
  });

  it("builds Sentry API paths only inside src/sentry (the sandbox, a fake Sentry, serves them)", () => {
    const builders = files.filter(
      (f) =>
        !f.startsWith("src/sentry/") &&
        !f.startsWith("src/sandbox/") &&
        /\.(getJson|postJson)\(|`\/(organizations|projects|issues)\/\$\{/.test(
          readFileSync(resolve(root, f), "utf8"),
        ),
    );
    expect(builders).toEqual([]);
  });

  it("writes to stdout only from the CLI and the demo client (stdio mode's stdout is the protocol)", () => {
    const writers = files.filter(
      (f) =>
        !STDOUT_WRITERS.has(f) &&
        /process\.stdout\.write|console\.(log|info|debug|table|dir)\(/.test(
          readFileSync(resolve(root, f), "utf8"),
        ),
    );
    expect(writers).toEqual([]);
  });
});
