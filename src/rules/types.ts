import type { TOOLS } from "../contract/rules.ts";

/**
 * One normalized shape for every coding agent's rules files (see the design reference, coding-agents §1.8):
 * which tool reads the file, the directory its patterns are relative to, and how the tool activates it.
 */

export type ToolId = (typeof TOOLS)[number];

export const TOOL_LABELS: Record<ToolId, string> = {
  cursor: "Cursor",
  windsurf: "Windsurf",
  cline: "Cline",
  claude: "Claude Code",
  copilot: "GitHub Copilot",
  gemini: "Gemini CLI",
  agents: "AGENTS.md",
};

/** Section headings, where a label needs context. */
export const TOOL_HEADINGS: Record<ToolId, string> = {
  ...TOOL_LABELS,
  agents: "AGENTS.md (read by Codex, Cursor, Copilot, Windsurf, Cline, …; the nearest file wins)",
};

/**
 * - `always`: loaded for every file in its scope.
 * - `glob`: loaded when the file matches one of `patterns` (relative to `scopeDir`).
 * - `directory`: a nested memory file (CLAUDE.md, GEMINI.md) loaded for files under its directory, cumulatively.
 * - `nearest`: AGENTS.md — only the closest one to the file applies.
 * - `import`: pulled in by an `@path` import from a file that applies.
 * - `agent_requested` / `manual`: available, but only loaded when the model asks or a user @-mentions it.
 * - `never`: cannot activate (`paths: []`, a glob rule without globs).
 * - `skipped`: the tool ignores the file (e.g. Cursor and unreadable frontmatter).
 */
export type Activation =
  | "always"
  | "glob"
  | "directory"
  | "nearest"
  | "import"
  | "agent_requested"
  | "manual"
  | "never"
  | "skipped";

export interface RuleSource {
  tool: ToolId;
  /** Repo-relative path of the rules file. */
  file: string;
  /** Directory (repo-relative, "" for the root) the rule is scoped to and its patterns are relative to. */
  scopeDir: string;
  activation: Activation;
  patterns: string[];
  description: string | null;
  /** Copilot `excludeAgent`: agents this file is not for. */
  excludeAgents: string[];
  /** Length of the whole file, frontmatter included. */
  sizeChars: number;
  /** Where a tool's documented behaviour surprises: skipped files, truncation, quoting traps. */
  warnings: string[];
  /** "low" when sources disagree on whether the tool reads the file at all. */
  confidence: "high" | "low";
  /** The rule text without frontmatter (capped). */
  content: string;
  /** Repo paths of files this one imports with `@path` (Claude Code, Gemini CLI). */
  imports: string[];
  /** For `import` sources: how many hops from a rules file. */
  hop?: number;
}

export interface RuleSet {
  repo: string;
  /** The ref read, or null for a checkout's working tree. */
  ref: string | null;
  sources: RuleSource[];
  warnings: string[];
}

export interface ApplicableRule {
  tool: ToolId;
  file: string;
  activation: Activation;
  /** Why it applies, in words: the pattern that matched, the directory, the importing file. */
  reason: string;
  content: string;
  warnings: string[];
}
