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

export function parseFrontmatter(text: string): Frontmatter {
  const src = text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  if (!/^---[ \t]*\n/.test(src))
    return { present: false, data: {}, body: src, yamlError: null, malformed: null };
  const close = /\n---[ \t]*(\n|$)/.exec(src.slice(3));
  if (!close) {
    return {
      present: true,
      data: {},
      body: src,
      yamlError: "no closing ---",
      malformed: "the frontmatter has no closing --- line",
    };
  }
  const block = src.slice(src.indexOf("\n") + 1, 3 + close.index);
  const body = src.slice(3 + close.index + close[0].length);
  let yamlError: string | null = null;
  try {
    const value = block.trim() === "" ? {} : yaml().parse(block, { prettyErrors: false });
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      return {
        present: true,
        data: value as Record<string, unknown>,
        body,
        yamlError: null,
        malformed: null,
      };
    }
    yamlError = "the frontmatter is not a key: value mapping";
  } catch (error) {
    yamlError = (error as Error).message.split("\n")[0] ?? "invalid YAML";
  }
  const lenient = readLines(block);
  return { present: true, data: lenient.data, body, yamlError, malformed: lenient.malformed };
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
