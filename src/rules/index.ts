import type { CodeHost } from "../code/types.ts";
import { discoverRuleFiles, type RuleFile } from "./discover.ts";
import { readRuleFile, WINDSURF_TOTAL_LIMIT } from "./formats.ts";
import { findImports, MAX_IMPORT_HOPS } from "./imports.ts";
import type { RuleSet, RuleSource } from "./types.ts";

export { applicableFor, applicableRules } from "./match.ts";
export type { ApplicableRule, RuleSet, RuleSource, ToolId } from "./types.ts";
export { TOOL_LABELS } from "./types.ts";

/**
 * Every coding-agent rules file in a repository at a ref (default: the checkout's working tree, or the
 * default branch on GitHub), parsed leniently. A file that cannot be read or parsed becomes a warning;
 * it never fails the whole set.
 */

const MAX_RULE_FILES = 200;
const MAX_IMPORTS = 100;
const PARALLEL_READS = 8;

export async function loadRules(host: CodeHost, ref?: string, signal?: AbortSignal): Promise<RuleSet> {
  const files = await host.listFiles(ref, signal);
  const found = discoverRuleFiles(files);
  const warnings: string[] = [];
  if (found.length > MAX_RULE_FILES) {
    warnings.push(
      `${found.length} rules files found; only the first ${MAX_RULE_FILES} (shallowest) were read`,
    );
  }
  const wanted = found.slice(0, MAX_RULE_FILES);
  const texts = await mapLimit(wanted, PARALLEL_READS, (rf) => read(host, rf.file, ref, signal));
  const sources: RuleSource[] = [];
  wanted.forEach((rf, i) => {
    const text = texts[i]!;
    if (typeof text === "string") sources.push(readRuleFile(rf, text));
    else warnings.push(`${rf.file} skipped: ${text.error.replace(/\.$/, "")}`);
  });
  await resolveImports(host, ref, new Set(files), sources, signal);
  warnings.push(...setWarnings(sources, wanted));
  return { repo: host.repoName, ref: ref ?? null, sources, warnings };
}

async function read(
  host: CodeHost,
  file: string,
  ref: string | undefined,
  signal?: AbortSignal,
): Promise<string | { error: string }> {
  try {
    const text = await host.readFile(file, ref, signal);
    return text ?? { error: "listed but not readable (a symlink to a directory, or removed)" };
  } catch (error) {
    if (signal?.aborted) throw error;
    return { error: (error as Error).message };
  }
}

/** Follows `@path` imports breadth-first from Claude Code and Gemini memory files, with hop and cycle limits. */
async function resolveImports(
  host: CodeHost,
  ref: string | undefined,
  files: Set<string>,
  sources: RuleSource[],
  signal?: AbortSignal,
): Promise<void> {
  const queue = sources
    .filter((s) => (s.tool === "claude" || s.tool === "gemini") && s.activation !== "skipped")
    .map((s) => ({ source: s, hop: 0, chain: [s.file] }));
  let loaded = 0;
  while (queue.length > 0) {
    const { source, hop, chain } = queue.shift()!;
    for (const ref_ of findImports(source.file, source.content)) {
      const at = `@${ref_.raw}`;
      if (ref_.path === null) {
        source.warnings.push(`${at} points outside the repository; not followed`);
        continue;
      }
      if (!files.has(ref_.path)) {
        source.warnings.push(`${at}: no such file in the repository`);
        continue;
      }
      if (chain.includes(ref_.path)) {
        source.warnings.push(
          `${at} is an import cycle (${[...chain, ref_.path].join(" → ")}); not followed again`,
        );
        continue;
      }
      if (hop + 1 > MAX_IMPORT_HOPS) {
        source.warnings.push(
          `${at} is ${hop + 1} hops from the memory file; imports stop at ${MAX_IMPORT_HOPS}`,
        );
        continue;
      }
      source.imports.push(ref_.path);
      const existing = sources.find(
        (s) => s.tool === source.tool && s.file === ref_.path && s.activation === "import",
      );
      if (existing || loaded >= MAX_IMPORTS) continue;
      const text = await read(host, ref_.path, ref, signal);
      if (typeof text !== "string") {
        source.warnings.push(`${at}: ${text.error}`);
        continue;
      }
      loaded++;
      const imported: RuleSource = {
        ...readRuleFile(
          { tool: source.tool, kind: "copilot-repo", file: ref_.path, scopeDir: source.scopeDir },
          text,
        ),
        activation: "import",
        hop: hop + 1,
      };
      sources.push(imported);
      queue.push({ source: imported, hop: hop + 1, chain: [...chain, ref_.path] });
    }
  }
}

function setWarnings(sources: RuleSource[], found: RuleFile[]): string[] {
  const warnings: string[] = [];
  const windsurf = sources.filter((s) => s.tool === "windsurf").reduce((n, s) => n + s.sizeChars, 0);
  if (windsurf > WINDSURF_TOTAL_LIMIT) {
    warnings.push(
      `Windsurf rules total ${windsurf.toLocaleString("en-US")} characters; past ${WINDSURF_TOTAL_LIMIT.toLocaleString("en-US")} (with global rules) Cascade truncates the rest`,
    );
  }
  const hasCline = found.some((f) => f.tool === "cline");
  if (!hasCline && found.some((f) => f.tool === "cursor" || f.tool === "windsurf")) {
    warnings.push("no .clinerules: Cline falls back to the Cursor and Windsurf rules listed here");
  }
  for (const s of sources)
    if (s.warnings.length > 0 && s.activation === "skipped") warnings.push(`${s.file}: ${s.warnings.at(-1)}`);
  return warnings;
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
