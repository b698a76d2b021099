import type { RuleFile } from "./discover.ts";
import { type Frontmatter, parseCursorFrontmatter, parseFrontmatter, splitPatterns } from "./frontmatter.ts";
import type { Activation, RuleSource } from "./types.ts";

/**
 * Each tool's reading of a rules file → activation, patterns and warnings. The rules and their quirks come
 * from the design reference (coding-agents §1); where the tools' documentation is silent or conflicting,
 * the choice is named in a warning rather than hidden.
 */

const WINDSURF_FILE_LIMIT = 6_000;
export const WINDSURF_TOTAL_LIMIT = 12_000;
const CURSOR_LINE_GUIDE = 500;
const MAX_CONTENT = 64 * 1024;

type Parsed = Pick<RuleSource, "activation" | "patterns" | "description" | "excludeAgents" | "confidence"> & {
  warnings: string[];
};

export function readRuleFile(rf: RuleFile, text: string): RuleSource {
  const fm =
    rf.kind === "cursorrules" || rf.kind === "windsurfrules"
      ? null
      : rf.kind === "cursor-rule"
        ? parseCursorFrontmatter(text)
        : parseFrontmatter(text);
  const parsed = interpret(rf, fm, text);
  const body = fm ? fm.body : text;
  if (body.length > MAX_CONTENT)
    parsed.warnings.push(`only the first ${MAX_CONTENT / 1024} KiB are shown here`);
  return {
    tool: rf.tool,
    file: rf.file,
    scopeDir: rf.scopeDir,
    ...parsed,
    sizeChars: text.length,
    content: body.slice(0, MAX_CONTENT).trim(),
    imports: [],
  };
}

function interpret(rf: RuleFile, fm: Frontmatter | null, text: string): Parsed {
  const base = alwaysParsed();
  const data = fm?.data ?? {};
  const description =
    typeof data.description === "string" && data.description.trim() ? data.description.trim() : null;
  switch (rf.kind) {
    case "cursorrules":
      return {
        ...base,
        warnings: ["legacy .cursorrules: still read by Cursor, but deprecated in favour of .cursor/rules"],
      };
    case "windsurfrules":
      return { ...base, warnings: windsurfSize(text) };
    case "cursor-rule":
      return cursor(rf, fm!, description, text);
    case "windsurf-rule":
      return windsurf(fm!, description, text);
    case "cline-rule":
      return cline(fm!);
    case "claude-rule":
      return claudeRule(fm!);
    case "copilot-path":
      return copilot(fm!);
    case "claude-memory":
    case "gemini":
      return { ...base, activation: rf.scopeDir === "" ? "always" : "directory" };
    case "agents":
      return { ...base, activation: "nearest" };
    case "copilot-repo":
      return base;
    case "import":
      return { ...base, activation: "import" };
  }
}

function cursor(rf: RuleFile, fm: Frontmatter, description: string | null, text: string): Parsed {
  const warnings: string[] = [];
  const confidence = rf.file.endsWith(".md") ? "low" : "high";
  if (confidence === "low")
    warnings.push("plain .md in .cursor/rules: sources disagree whether Cursor reads it (treated as manual)");
  if (fm.malformed) {
    return {
      activation: "skipped",
      patterns: [],
      description,
      excludeAgents: [],
      confidence,
      warnings: [
        ...warnings,
        `malformed frontmatter (${fm.malformed}): Cursor ignores this rule, so it applies nowhere`,
      ],
    };
  }
  const always = fm.data.alwaysApply;
  if (typeof always === "string") {
    warnings.push(
      `alwaysApply is the string "${always}", not a boolean: Cursor does not treat it as always-apply`,
    );
  }
  const patterns = toPatterns(fm.data.globs);
  if (text.split("\n").length > CURSOR_LINE_GUIDE)
    warnings.push(`longer than Cursor's ${CURSOR_LINE_GUIDE}-line guidance`);
  let activation: Activation;
  if (confidence === "low" && !fm.present) activation = "manual";
  else if (always === true) activation = "always";
  else if (patterns.length > 0) activation = "glob";
  else if (description) activation = "agent_requested";
  else activation = "manual";
  if (activation === "always" && patterns.length > 0) warnings.push("globs are ignored: alwaysApply is true");
  return {
    activation,
    patterns: activation === "glob" ? patterns : [],
    description,
    excludeAgents: [],
    confidence,
    warnings,
  };
}

function windsurf(fm: Frontmatter, description: string | null, text: string): Parsed {
  const warnings = windsurfSize(text);
  if (fm.malformed) warnings.push(`frontmatter partly unreadable (${fm.malformed})`);
  const trigger = typeof fm.data.trigger === "string" ? fm.data.trigger.trim() : null;
  const patterns = toPatterns(fm.data.globs);
  let activation: Activation;
  if (trigger === "always_on") activation = "always";
  else if (trigger === "model_decision") activation = "agent_requested";
  else if (trigger === "manual") activation = "manual";
  else if (trigger === "glob") {
    activation = patterns.length > 0 ? "glob" : "never";
    if (patterns.length === 0) warnings.push('trigger is "glob" but there are no globs: it never activates');
  } else if (trigger === null) {
    activation = "always";
    warnings.push("no trigger: treated as always_on, as legacy Windsurf rules were");
  } else {
    activation = "manual";
    warnings.push(`unknown trigger "${trigger}": treated as manual`);
  }
  if (activation === "glob") warnings.push(...rootOnlyHints("Windsurf", patterns));
  return {
    activation,
    patterns: activation === "glob" ? patterns : [],
    description,
    excludeAgents: [],
    confidence: "high",
    warnings,
  };
}

function windsurfSize(text: string): string[] {
  if (text.length <= WINDSURF_FILE_LIMIT) return [];
  return [
    `${text.length.toLocaleString("en-US")} characters: Windsurf truncates each rule file at ${WINDSURF_FILE_LIMIT.toLocaleString("en-US")}, silently dropping the last ${(text.length - WINDSURF_FILE_LIMIT).toLocaleString("en-US")}`,
  ];
}

function cline(fm: Frontmatter): Parsed {
  const base = alwaysParsed();
  if (!fm.present) return base;
  if (fm.yamlError) {
    return {
      ...base,
      warnings: [
        `Cline cannot parse this YAML frontmatter (${fm.yamlError}), so it applies the rule everywhere`,
      ],
    };
  }
  const paths = fm.data.paths;
  if (paths === undefined || paths === null) return base;
  const patterns = toPatterns(paths);
  if (patterns.length === 0)
    return { ...base, activation: "never", warnings: ["paths: [] — Cline never activates this rule"] };
  return { ...base, activation: "glob", patterns, warnings: rootOnlyHints("Cline", patterns) };
}

function claudeRule(fm: Frontmatter): Parsed {
  const base = alwaysParsed();
  if (fm.malformed) base.warnings.push(`frontmatter partly unreadable (${fm.malformed})`);
  const paths = fm.data.paths;
  const patterns = toPatterns(paths);
  if (patterns.length === 0) return base;
  const warnings = [...base.warnings, ...rootOnlyHints("Claude Code", patterns)];
  if (Array.isArray(paths)) {
    warnings.push(
      "paths is a YAML list: Claude Code has been reported to ignore that form; a quoted comma-separated string loads reliably",
    );
  }
  return { ...base, activation: "glob", patterns, warnings };
}

function copilot(fm: Frontmatter): Parsed {
  const warnings: string[] = [];
  if (fm.malformed) warnings.push(`frontmatter partly unreadable (${fm.malformed})`);
  const excludeAgents = toPatterns(fm.data.excludeAgent);
  const patterns = toPatterns(fm.data.applyTo);
  if (patterns.length === 0) {
    warnings.push("no applyTo: Copilot does not apply it automatically (attach it by hand)");
    return {
      activation: "manual",
      patterns: [],
      description: null,
      excludeAgents,
      confidence: "high",
      warnings,
    };
  }
  return {
    activation: "glob",
    patterns,
    description: null,
    excludeAgents,
    confidence: "high",
    warnings: [...warnings, ...rootOnlyHints("Copilot", patterns)],
  };
}

/** A glob list as any of the tools accept it: a YAML list, or one string of comma-separated patterns. */
function toPatterns(value: unknown): string[] {
  const items = Array.isArray(value) ? value : typeof value === "string" ? [value] : [];
  return items
    .filter((v): v is string => typeof v === "string")
    .flatMap(splitPatterns)
    .map((p) => p.replace(/^\.\//, "").replace(/^\/+/, ""))
    .filter(Boolean);
}

/** Tools without basename matching treat `*.py` as root-only, which is rarely what the author meant. */
function rootOnlyHints(tool: string, patterns: string[]): string[] {
  return patterns
    .filter((p) => !p.includes("/") && /[*?[{]/.test(p) && p !== "*" && p !== "**")
    .map(
      (p) =>
        `"${p}" has no "/": ${tool} matches it against top-level files only (use "**/${p}" for any depth)`,
    );
}

/** A rule that applies everywhere, as read with certainty: where a reader starts before its frontmatter. */
function alwaysParsed(): Parsed {
  return {
    activation: "always",
    patterns: [],
    description: null,
    excludeAgents: [],
    confidence: "high",
    warnings: [],
  };
}
