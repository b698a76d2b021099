/**
 * Java text the real-crash bench reads: stack traces as a JVM prints them (with `Caused by:` and
 * `... N more`), and method line ranges of a source file, for locating a fix's changed lines. Bench-only
 * and independent of the product's own code reading, so the gold standard does not share its blind spots.
 */

export interface JavaFrame {
  className: string;
  method: string;
  file: string | null;
  line: number | null;
}

export interface JavaException {
  type: string;
  message: string;
  /** Innermost call last (Sentry's order: caller → callee). */
  frames: JavaFrame[];
}

const AT = /^\s*at\s+([\w$.<>/]+)\.([\w$<>-]+)\(([^)]*)\)\s*$/;
const MORE = /^\s*\.\.\.\s*(\d+)\s+more\s*$/;
const CAUSED = /^\s*Caused by:\s*/;

/** One printed throwable and its causes, outermost first as printed. */
export function parseJavaTrace(text: string): JavaException[] {
  const lines = text.split("\n");
  const out: Array<JavaException & { more: number }> = [];
  let current: (JavaException & { more: number }) | null = null;
  let header: string[] = [];
  const flushHeader = () => {
    if (header.length === 0) return;
    const joined = header.join("\n").replace(CAUSED, "");
    const m = /^([\w$.]+(?:Error|Exception|Throwable|Failure|Failed\w*)?[\w$]*)(?::\s?([\s\S]*))?$/.exec(
      joined,
    );
    current = {
      type: m?.[1] ?? joined.split(":")[0]!.trim(),
      message: (m?.[2] ?? "").trim(),
      frames: [],
      more: 0,
    };
    out.push(current);
    header = [];
  };
  for (const line of lines) {
    const at = AT.exec(line);
    if (at) {
      if (header.length > 0) flushHeader();
      if (!current) continue;
      const [file, lineNo] = (at[3] ?? "").split(":");
      (current as JavaException).frames.push({
        className: at[1]!,
        method: at[2]!,
        file: file && /\.\w+$/.test(file) ? file : null,
        line: lineNo ? Number(lineNo) : null,
      });
      continue;
    }
    const more = MORE.exec(line);
    if (more && current) {
      (current as JavaException & { more: number }).more = Number(more[1]);
      continue;
    }
    if (CAUSED.test(line) || (current === null && header.length === 0 && line.trim())) {
      flushHeader();
      header = [line];
      current = null;
      continue;
    }
    if (header.length > 0 && line.trim()) header.push(line);
  }
  flushHeader();
  // A cause prints only its own frames and "... N more": the rest are its enclosing trace's last N.
  for (let i = 1; i < out.length; i++) {
    const cause = out[i]!;
    const outer = out[i - 1]!;
    if (cause.more > 0) cause.frames.push(...outer.frames.slice(-cause.more));
  }
  return out
    .filter((e) => e.frames.length > 0)
    .map(({ type, message, frames }) => ({ type, message, frames: [...frames].reverse() }));
}

export interface MethodRange {
  name: string;
  start: number;
  end: number;
}

/**
 * Line ranges of every method and constructor, nested ones included (anonymous classes, local classes).
 * Comments, strings and char literals are blanked first so braces inside them do not count.
 */
export function javaMethods(source: string): MethodRange[] {
  const text = blank(source);
  const out: MethodRange[] = [];
  const stack: Array<{ name: string | null; start: number }> = [];
  let line = 1;
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "\n") line++;
    else if (ch === "{") {
      const before = text.slice(last, i);
      const name = methodName(before);
      stack.push({ name, start: line - (before.split("\n").length - 1 - leadingBlankLines(before)) });
      last = i + 1;
    } else if (ch === "}") {
      const open = stack.pop();
      if (open?.name) out.push({ name: open.name, start: open.start, end: line });
      last = i + 1;
    } else if (ch === ";") last = i + 1;
  }
  return out;
}

function leadingBlankLines(s: string): number {
  let n = 0;
  for (const l of s.split("\n")) {
    if (l.trim()) break;
    n++;
  }
  return n;
}

const NOT_METHODS = new Set([
  "if",
  "for",
  "while",
  "switch",
  "catch",
  "synchronized",
  "return",
  "new",
  "else",
  "try",
  "do",
  "finally",
]);

function methodName(header: string): string | null {
  const h = header.replace(/\s+/g, " ").trim();
  // name(params) [throws A, B] {   — but not `new Foo() {` (an anonymous class) or control statements.
  const m = /([A-Za-z_$][\w$]*)\s*\(([^()]|\([^()]*\))*\)\s*(throws\s+[\w$.,\s<>]+)?$/.exec(h);
  if (!m) return null;
  const name = m[1]!;
  if (NOT_METHODS.has(name)) return null;
  const before = h.slice(0, m.index).trim();
  if (/\bnew$/.test(before) || /[=(,?:]$/.test(before) || before.endsWith("->")) return null;
  return name;
}

function blank(source: string): string {
  let out = "";
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    const next = source[i + 1];
    if (ch === "/" && next === "/") {
      while (i < source.length && source[i] !== "\n") {
        out += " ";
        i++;
      }
    } else if (ch === "/" && next === "*") {
      while (i < source.length && !(source[i] === "*" && source[i + 1] === "/")) {
        out += source[i] === "\n" ? "\n" : " ";
        i++;
      }
      out += "  ";
      i += 2;
    } else if (ch === '"' || ch === "'") {
      out += ch;
      i++;
      while (i < source.length && source[i] !== ch && source[i] !== "\n") {
        if (source[i] === "\\") {
          out += " ";
          i++;
        }
        out += " ";
        i++;
      }
      out += ch;
      i++;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

/** The buggy-side lines a patch touches, per file. Defects4J's `*.src.patch` goes from fixed to buggy. */
export function changedBuggyLines(patch: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  let file: string | null = null;
  let line = 0;
  for (const text of patch.split("\n")) {
    if (text.startsWith("diff --git")) {
      file = null;
      continue;
    }
    if (text.startsWith("+++ ")) {
      const p = text.slice(4).trim();
      file = p === "/dev/null" ? null : p.replace(/^b\//, "");
      continue;
    }
    if (text.startsWith("--- ")) continue;
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(text);
    if (hunk) {
      line = Number(hunk[1]);
      continue;
    }
    if (!file) continue;
    const list = out.get(file) ?? [];
    // A line only the fixed side has sits before the next buggy line: that line counts.
    if (text.startsWith("+") || text.startsWith("-")) list.push(line);
    if (!text.startsWith("-")) line++;
    out.set(file, list);
  }
  return out;
}
