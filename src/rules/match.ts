import picomatch from "picomatch";
import { TOOLS } from "../contract/rules.ts";
import { depth } from "./discover.ts";
import type { ApplicableRule, RuleSet, RuleSource, ToolId } from "./types.ts";

/**
 * Which rules apply to a repo-relative path, per tool, with that tool's glob semantics:
 * picomatch (`*` stays within a directory, `**` crosses, braces, dotfiles). Copilot and Cline document
 * `*.py` as top-level only, so basename matching is off for them, and for Windsurf and Claude Code, which
 * do not say; Cursor is described as gitignore-style, so its slash-less globs match file names anywhere.
 */

const matchers = new Map<string, (path: string) => boolean>();

function matcher(tool: ToolId, pattern: string): (path: string) => boolean {
  const key = `${tool}\0${pattern}`;
  let m = matchers.get(key);
  if (!m) {
    // picomatch's `basename` option also changes how patterns with a slash match; set it only for slash-less ones.
    m = picomatch(pattern, { dot: true, basename: tool === "cursor" && !pattern.includes("/") });
    matchers.set(key, m);
  }
  return m;
}

const inScope = (s: RuleSource, path: string) => s.scopeDir === "" || path.startsWith(`${s.scopeDir}/`);

const ORDER: Record<string, number> = { always: 0, directory: 1, nearest: 2, glob: 3 };

export function applicableFor(set: RuleSet, path: string): ApplicableRule[] {
  const out: ApplicableRule[] = [];
  for (const tool of TOOLS) {
    const own = set.sources.filter((s) => s.tool === tool && s.activation !== "import" && inScope(s, path));
    const hits: Array<{ source: RuleSource; reason: string }> = [];
    for (const s of own) {
      const reason = why(s, path, own);
      if (reason) hits.push({ source: s, reason });
    }
    hits.sort(
      (a, b) =>
        (ORDER[a.source.activation] ?? 9) - (ORDER[b.source.activation] ?? 9) ||
        depth(a.source.scopeDir) - depth(b.source.scopeDir),
    );
    const seen = new Set<string>();
    for (const hit of hits) {
      if (seen.has(hit.source.file)) continue;
      seen.add(hit.source.file);
      out.push(rule(hit.source, hit.reason));
      for (const imported of importsOf(set, hit.source, seen)) out.push(imported);
    }
  }
  return out;
}

/** The union over several paths (a rule applies if it applies to any of them), each naming its paths. */
export function applicableRules(set: RuleSet, paths: string[]): Array<ApplicableRule & { paths: string[] }> {
  const byKey = new Map<string, ApplicableRule & { paths: string[] }>();
  for (const path of paths) {
    for (const r of applicableFor(set, path)) {
      const key = `${r.tool}\0${r.file}`;
      const existing = byKey.get(key);
      if (existing) existing.paths.push(path);
      else byKey.set(key, { ...r, paths: [path] });
    }
  }
  return [...byKey.values()];
}

function why(s: RuleSource, path: string, sameTool: RuleSource[]): string | null {
  const scope = s.scopeDir ? ` (scoped to ${s.scopeDir}/)` : "";
  switch (s.activation) {
    case "always":
      return `always applied${scope}`;
    case "directory":
      return `memory file of ${s.scopeDir}/, which contains the file`;
    case "nearest": {
      const nearest = sameTool
        .filter((o) => o.activation === "nearest")
        .reduce((a, b) => (depth(b.scopeDir) > depth(a.scopeDir) ? b : a));
      if (nearest !== s) return null;
      const shadowed = sameTool.filter((o) => o.activation === "nearest" && o !== s).map((o) => o.file);
      return `nearest AGENTS.md to the file${shadowed.length ? `; it takes precedence over ${shadowed.join(", ")}` : ""}`;
    }
    case "glob": {
      const rel = s.scopeDir ? path.slice(s.scopeDir.length + 1) : path;
      const hit = s.patterns.find((p) => matcher(s.tool, p)(rel));
      if (!hit) return null;
      const byName =
        s.tool === "cursor" && !hit.includes("/")
          ? ", matched on the file name (gitignore-style; inferred)"
          : "";
      const relative = s.scopeDir ? `, relative to ${s.scopeDir}/ (inferred)` : "";
      const excluded = s.excludeAgents.length ? `; not used by ${s.excludeAgents.join(", ")}` : "";
      return `matches "${hit}"${relative}${byName}${excluded}`;
    }
    default:
      return null;
  }
}

function importsOf(set: RuleSet, root: RuleSource, seen: Set<string>): ApplicableRule[] {
  const out: ApplicableRule[] = [];
  const queue: RuleSource[] = [root];
  while (queue.length > 0) {
    const from = queue.shift()!;
    for (const file of from.imports) {
      if (seen.has(file)) continue;
      const target = set.sources.find(
        (s) => s.tool === root.tool && s.file === file && s.activation === "import",
      );
      if (!target) continue;
      seen.add(file);
      out.push(rule(target, `imported by ${from.file} (@${file}, hop ${target.hop ?? 1})`));
      queue.push(target);
    }
  }
  return out;
}

function rule(s: RuleSource, reason: string): ApplicableRule {
  return {
    tool: s.tool,
    file: s.file,
    activation: s.activation,
    reason,
    content: s.content,
    warnings: s.warnings,
  };
}
