import { yaml } from "../lazy.ts";
/**
 * Frontmatter as coding agents read it: "not strictly YAML". Cursor users write `globs: **\/*.ts, src/**`
 * (invalid YAML: `*` starts an alias), so a strict parse is tried first and a line-based reader
 * (`key: value`, `- item` lists, quoted or bare scalars) second. Both outcomes are reported, because the
 * tools differ: Cline fails open on invalid YAML, Cursor skips what it cannot read at all.
 */

export interface Frontmatter {
  present: boolean;
  data: Record<string, unknown>;
  body: string;
  /** Strict YAML failed (message), else null. */
  yamlError: string | null;
  /** Not even the lenient reader understood it (message), else null. */
  malformed: string | null;
}

type Split =
  | { present: false; body: string }
  | { present: true; block: string; body: string }
  | { present: true; block: null; body: string };

function split(text: string): Split {
  const src = text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  if (!/^---[ \t]*\n/.test(src)) return { present: false, body: src };
  const close = /\n---[ \t]*(\n|$)/.exec(src.slice(3));
  if (!close) return { present: true, block: null, body: src };
  return {
    present: true,
    block: src.slice(src.indexOf("\n") + 1, 3 + close.index),
    body: src.slice(3 + close.index + close[0].length),
  };
}

const UNCLOSED: Frontmatter = {
  present: true,
  data: {},
  body: "",
  yamlError: "no closing ---",
  malformed: "the frontmatter has no closing --- line",
};

/** Strict YAML: the mapping, or the parser's first line of complaint. */
function strictYaml(block: string): { data: Record<string, unknown> } | { error: string } {
  try {
    const value = block.trim() === "" ? {} : yaml().parse(block, { prettyErrors: false });
    if (value !== null && typeof value === "object" && !Array.isArray(value))
      return { data: value as Record<string, unknown> };
    return { error: "the frontmatter is not a key: value mapping" };
  } catch (error) {
    return { error: (error as Error).message.split("\n")[0] ?? "invalid YAML" };
  }
}

export function parseFrontmatter(text: string): Frontmatter {
  const read = readStrict(text);
  if ("frontmatter" in read) return read.frontmatter;
  const { parts, strict } = read;
  const lenient = readLines(parts.block);
  return {
    present: true,
    data: lenient.data,
    body: parts.body,
    yamlError: strict.error,
    malformed: lenient.malformed,
  };
}

/**
 * Cursor's reading: YAML, except the `globs:` line, which Cursor takes as written — its own editor saves
 * `globs: **\/*.ts, src/**`, which YAML rejects (`*` starts an alias). Any other YAML error makes Cursor drop
 * the rule, so no line-by-line guess is made: `malformed` carries the parser's error and `data` is empty.
 */
export function parseCursorFrontmatter(text: string): Frontmatter {
  const read = readStrict(text);
  if ("frontmatter" in read) return read.frontmatter;
  const { parts, strict } = read;
  const tolerant = strictYaml(parts.block.split("\n").map(globsAsWritten).join("\n"));
  if ("data" in tolerant)
    return { present: true, data: tolerant.data, body: parts.body, yamlError: strict.error, malformed: null };
  return {
    present: true,
    data: {},
    body: parts.body,
    yamlError: tolerant.error,
    malformed: `not valid YAML: ${tolerant.error}`,
  };
}

/**
 * What every reader agrees on: no frontmatter, an unclosed one, or a block that is valid YAML. Otherwise the
 * block and YAML's error, for the reader's own leniency.
 */
function readStrict(
  text: string,
): { frontmatter: Frontmatter } | { parts: { block: string; body: string }; strict: { error: string } } {
  const parts = split(text);
  if (!parts.present)
    return { frontmatter: { present: false, data: {}, body: parts.body, yamlError: null, malformed: null } };
  if (parts.block === null) return { frontmatter: { ...UNCLOSED, body: parts.body } };
  const strict = strictYaml(parts.block);
  if ("data" in strict)
    return {
      frontmatter: { present: true, data: strict.data, body: parts.body, yamlError: null, malformed: null },
    };
  return { parts: { block: parts.block, body: parts.body }, strict };
}

/** A top-level `globs:` line whose value is a bare pattern list or a closed `[…]`, re-written as YAML strings. */
function globsAsWritten(line: string): string {
  const m = /^globs:[ \t]*(\S.*?)\s*$/.exec(line);
  if (!m) return line;
  const value = m[1]!;
  if (/^["'{]/.test(value)) return line;
  if (value.startsWith("[")) {
    if (!value.endsWith("]")) return line;
    return `globs: ${JSON.stringify(splitPatterns(value.slice(1, -1)))}`;
  }
  return `globs: ${JSON.stringify(value)}`;
}

function readLines(block: string): { data: Record<string, unknown>; malformed: string | null } {
  const data: Record<string, unknown> = {};
  let listKey: string | null = null;
  const opened = new Set<string>();
  let malformed: string | null = null;
  for (const [i, raw] of block.split("\n").entries()) {
    const line = raw.replace(/\s+$/, "");
    if (line.trim() === "" || line.trim().startsWith("#")) continue;
    const item = /^\s*-\s+(.*)$/.exec(line);
    if (item && listKey) {
      (data[listKey] as unknown[]).push(scalar(item[1]!));
      continue;
    }
    const pair = /^([A-Za-z_][\w-]*)\s*:\s*(.*)$/.exec(line);
    if (!pair) {
      malformed ??= `line ${i + 1} is not "key: value": ${line.trim().slice(0, 60)}`;
      continue;
    }
    const [, key, value] = pair as unknown as [string, string, string];
    if (value === "") {
      data[key] = [];
      listKey = key;
      opened.add(key);
    } else {
      data[key] = value.startsWith("[") && value.endsWith("]") ? flowList(value) : scalar(value);
      listKey = null;
    }
  }
  // `key:` with nothing under it is YAML's null, not an empty list.
  for (const k of opened) if ((data[k] as unknown[]).length === 0) data[k] = null;
  return { data, malformed };
}

function scalar(value: string): unknown {
  const v = value.trim();
  const quoted = /^(["'])(.*)\1$/.exec(v);
  if (quoted) return quoted[2];
  if (v === "true") return true;
  if (v === "false") return false;
  return v;
}

function flowList(value: string): unknown[] {
  const inner = value.slice(1, -1).trim();
  return inner === "" ? [] : splitPatterns(inner).map(scalar);
}

/** Splits a pattern list on commas that are not inside `{}` or `[]`; trims and unquotes each part. */
export function splitPatterns(value: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of value) {
    if (ch === "{" || ch === "[") depth++;
    else if ((ch === "}" || ch === "]") && depth > 0) depth--;
    if (ch === "," && depth === 0) {
      out.push(current);
      current = "";
    } else current += ch;
  }
  out.push(current);
  return out
    .map((p) =>
      p
        .trim()
        .replace(/^(["'])(.*)\1$/, "$2")
        .trim(),
    )
    .filter(Boolean);
}
