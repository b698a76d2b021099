/**
 * Reading a unified diff of one file: the lines it added and removed, grouped by hunk, with the function
 * name git prints in each hunk header. Used to ask "did this commit change that function?" and "did it
 * touch the key the error names?".
 */
export interface Hunk {
  header: string;
  added: string[];
  removed: string[];
  context: string[];
}

export function parsePatch(patch: string | null): Hunk[] {
  if (!patch) return [];
  const hunks: Hunk[] = [];
  let current: Hunk | null = null;
  for (const line of patch.split("\n")) {
    if (line.startsWith("@@")) {
      current = { header: line.replace(/^@@[^@]*@@\s?/, ""), added: [], removed: [], context: [] };
      hunks.push(current);
    } else if (!current || line.startsWith("+++") || line.startsWith("---")) {
    } else if (line.startsWith("+")) current.added.push(line.slice(1));
    else if (line.startsWith("-")) current.removed.push(line.slice(1));
    else current.context.push(line.slice(1));
  }
  return hunks;
}

const meaningful = (line: string) => line.trim().length >= 4 && !/^[\s{}()[\];,]*$/.test(line);

/**
 * A line as code: without a trailing `//` or `#` comment, and nothing at all when it is a comment line
 * (`//`, `#`, `/*`, ` * ` of a doc block). Whitespace is dropped, so a reindented line reads the same.
 */
function asCode(line: string): string {
  const t = line.trim();
  if (/^(\/\/|#|\/\*|\*)/.test(t)) return "";
  return t.replace(/\s(\/\/|#)\s.*$/, "").replace(/\s+/g, "");
}

/**
 * False for a hunk that only reformats or edits comments: the same code lines come out as went in. Such a
 * change cannot have introduced a bug, so the history does not count it.
 */
export function changesCode(h: Hunk): boolean {
  // Joined without whitespace, in order: rewrapping a statement over two lines reads the same too.
  const side = (lines: string[]) => lines.map(asCode).join("");
  return side(h.added) !== side(h.removed);
}

/** True when a hunk changed code of the function whose current body is `body` (or names it in its header). */
export function touchesFunction(hunks: Hunk[], fnName: string, body: string[]): boolean {
  const bodySet = new Set(body.map((l) => l.trim()).filter(meaningful));
  return hunks
    .filter(changesCode)
    .some(
      (h) =>
        new RegExp(`\\b${fnName.replace(/\$/g, "\\$")}\\s*\\(`).test(h.header) ||
        h.added.some((l) => meaningful(l) && asCode(l) && bodySet.has(l.trim())) ||
        (h.added.length === 0 && h.context.some((l) => meaningful(l) && bodySet.has(l.trim()))),
    );
}

/** True when an added or removed code line mentions the token as a word (e.g. the key a KeyError names). */
export function mentionsToken(hunks: Hunk[], token: string): boolean {
  const re = new RegExp(`(?<![\\w$])${token.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\w$])`);
  return hunks
    .filter(changesCode)
    .some((h) => [...h.added, ...h.removed].some((l) => asCode(l) !== "" && re.test(l)));
}
