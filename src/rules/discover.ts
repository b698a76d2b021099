import type { ToolId } from "./types.ts";

/**
 * Which tracked files are coding-agent rules files, by path alone, and the directory each is scoped to.
 * Locations follow the design reference (coding-agents §1). Vendored trees are ignored.
 */

type RuleKind =
  | "cursor-rule"
  | "cursorrules"
  | "windsurf-rule"
  | "windsurfrules"
  | "cline-rule"
  | "claude-memory"
  | "claude-rule"
  | "copilot-repo"
  | "copilot-path"
  | "gemini"
  | "agents"
  /** A file pulled in by an `@path` import, not a rules file by location. */
  | "import";

export interface RuleFile {
  tool: ToolId;
  kind: RuleKind;
  file: string;
  scopeDir: string;
}

const VENDORED = /(^|\/)(node_modules|vendor|third_party|\.venv|site-packages)\//;

/** Directory part of `dir/.tool/...` captured by the patterns below; "" at the root. */
const at = (m: RegExpExecArray) => m[1] ?? "";

const PATTERNS: Array<[RegExp, ToolId, RuleKind, (m: RegExpExecArray) => string]> = [
  [/^(?:(.+)\/)?\.cursor\/rules\/.+\.(?:mdc|md)$/, "cursor", "cursor-rule", at],
  [/^\.cursorrules$/, "cursor", "cursorrules", () => ""],
  [/^(?:(.+)\/)?\.windsurf\/rules\/[^/]+\.md$/, "windsurf", "windsurf-rule", at],
  [/^\.windsurfrules$/, "windsurf", "windsurfrules", () => ""],
  [/^\.clinerules$/, "cline", "cline-rule", () => ""],
  [/^\.(?:clinerules|cline\/rules)\/.+\.(?:md|txt)$/, "cline", "cline-rule", () => ""],
  [/^\.claude\/rules\/.+\.md$/, "claude", "claude-rule", () => ""],
  // dir/CLAUDE.md and dir/.claude/CLAUDE.md both belong to dir.
  [
    /^(?:(.+)\/)?CLAUDE(?:\.local)?\.md$/,
    "claude",
    "claude-memory",
    (m) => at(m).replace(/(^|\/)\.claude$/, ""),
  ],
  [/^\.github\/copilot-instructions\.md$/, "copilot", "copilot-repo", () => ""],
  [/^\.github\/instructions\/(?:.+\/)?[^/]+\.instructions\.md$/, "copilot", "copilot-path", () => ""],
  [/^(?:(.+)\/)?GEMINI\.md$/, "gemini", "gemini", at],
  [/^(?:(.+)\/)?AGENTS\.md$/, "agents", "agents", at],
];

export function discoverRuleFiles(files: readonly string[]): RuleFile[] {
  const found: RuleFile[] = [];
  for (const file of files) {
    if (VENDORED.test(file)) continue;
    for (const [pattern, tool, kind, scope] of PATTERNS) {
      const m = pattern.exec(file);
      if (!m) continue;
      found.push({ tool, kind, file, scopeDir: scope(m) });
      break;
    }
  }
  return found.sort((a, b) => depth(a.file) - depth(b.file) || a.file.localeCompare(b.file));
}

export const depth = (path: string): number => (path === "" ? 0 : path.split("/").length);
