import { posix } from "node:path";

/**
 * `@path` imports in Claude Code memory files (and Gemini CLI's GEMINI.md): relative to the importing file,
 * up to five hops, ignored inside code spans and fenced blocks. Only files inside the repository are
 * followed; `~/…` and absolute imports are reported, never read.
 */

export const MAX_IMPORT_HOPS = 5;

interface ImportRef {
  raw: string;
  /** Repo-relative target, or null when it points outside the repository. */
  path: string | null;
}

export function findImports(importer: string, text: string): ImportRef[] {
  const prose = text
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?(^\1[^\n]*$|(?![\s\S]))/gm, "")
    .replace(/(`+)[^`]*?\1/g, "");
  const out: ImportRef[] = [];
  const seen = new Set<string>();
  for (const m of prose.matchAll(/(?:^|[\s(])@((?:~\/|\.{1,2}\/|\/)?[\w.-]+(?:\/[\w.-]+)*)/g)) {
    const raw = m[1]!.replace(/[.,;:)]+$/, "");
    // "@team" or "@acme/shared" are mentions and package names, not files.
    if (!/\.[A-Za-z0-9]+$/.test(raw) || seen.has(raw)) continue;
    seen.add(raw);
    out.push({ raw, path: resolveImport(importer, raw) });
  }
  return out;
}

function resolveImport(importer: string, raw: string): string | null {
  if (raw.startsWith("~") || raw.startsWith("/")) return null;
  const joined = posix.normalize(posix.join(posix.dirname(importer), raw));
  return joined === ".." || joined.startsWith("../") ? null : joined;
}
