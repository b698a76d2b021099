/**
 * Just enough code structure to reason about a failing line, for the languages Sentry's SDKs report
 * (Python, JS/TS, Java/Kotlin, Go, Ruby, PHP, C#): which function encloses a line, its line range, the
 * functions it calls, where a function is defined, and which variable a failing line reads and where that
 * value came from. Heuristics over text, not parsers: good on ordinary code, silent (null) when unsure.
 */

export type Language = "python" | "js" | "java" | "go" | "ruby" | "php" | "other";

export function languageOf(path: string): Language {
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase() ?? "";
  if (ext === "py") return "python";
  if (["js", "jsx", "ts", "tsx", "mjs", "cjs", "vue", "svelte"].includes(ext)) return "js";
  if (["java", "kt", "kts", "scala", "cs"].includes(ext)) return "java";
  if (ext === "go") return "go";
  if (ext === "rb") return "ruby";
  if (ext === "php") return "php";
  return "other";
}

const KEYWORDS = new Set([
  "if",
  "for",
  "while",
  "switch",
  "catch",
  "return",
  "function",
  "new",
  "typeof",
  "await",
  "async",
  "def",
  "class",
  "elif",
  "else",
  "try",
  "with",
  "print",
  "super",
  "this",
  "self",
  "len",
  "str",
  "int",
  "float",
  "dict",
  "list",
  "set",
  "tuple",
  "isinstance",
  "range",
  "throw",
  "raise",
  "assert",
  "not",
  "and",
  "or",
  "in",
  "is",
  "lambda",
  "yield",
  "import",
  "from",
  "require",
  "String",
  "Number",
  "Boolean",
  "Object",
  "Array",
  "Math",
  "JSON",
  "Promise",
  "Error",
  "TypeError",
  "ValueError",
  "KeyError",
  "Decimal",
  "sum",
  "map",
  "filter",
  "sorted",
  "min",
  "max",
  "get",
]);

/** A function (or method) header on this line, and its name. */
function functionHeader(line: string, lang: Language): string | null {
  const t = line.trim();
  let m: RegExpExecArray | null = null;
  switch (lang) {
    case "python":
      m = /^(?:async\s+)?def\s+([A-Za-z_]\w*)\s*\(/.exec(t);
      break;
    case "ruby":
      m = /^def\s+(?:self\.)?([A-Za-z_]\w*[?!]?)/.exec(t);
      break;
    case "go":
      m = /^func\s+(?:\([^)]*\)\s*)?([A-Za-z_]\w*)\s*\(/.exec(t);
      break;
    case "php":
      m = /\bfunction\s+([A-Za-z_]\w*)\s*\(/.exec(t);
      break;
    case "java":
      m =
        /^(?:(?:public|private|protected|static|final|abstract|synchronized|override|open|suspend|internal|async|virtual)\s+)*(?:fun\s+|[\w<>[\],.?\s]+\s+)([A-Za-z_]\w*)\s*\([^;]*$/.exec(
          t,
        );
      // `throw new Foo(`, `return bar(`, `else baz(`: a statement that wraps its call, not a declaration.
      if (
        m &&
        (["if", "for", "while", "switch", "catch", "return", "new"].includes(m[1]!) ||
          /(?:^|\s)(?:new|throw|return|else|case|assert|yield|await)\s/.test(
            t.slice(0, m.index + m[0].indexOf(m[1]!)),
          ))
      )
        m = null;
      break;
    case "js":
      m =
        /^(?:export\s+)?(?:default\s+)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)\s*[(<]/.exec(t) ??
        /^(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*(?::[^=]+)?=>|[A-Za-z_$][\w$]*\s*=>)/.exec(
          t,
        ) ??
        /^(?:(?:public|private|protected|static|readonly|async|override|get|set)\s+)*([A-Za-z_$][\w$]*)\s*(?:<[^>]*>)?\([^)]*\)?\s*(?::\s*[^={]+)?\{\s*$/.exec(
          t,
        ) ??
        /^([A-Za-z_$][\w$]*)\s*:\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*=>)/.exec(t);
      if (m && KEYWORDS.has(m[1]!)) m = null;
      break;
    default:
      m = /\b(?:def|function|func|fn)\s+([A-Za-z_]\w*)/.exec(t);
  }
  return m ? m[1]! : null;
}

export interface FunctionSpan {
  name: string;
  /** 1-based, inclusive. */
  start: number;
  end: number;
}

function indentOf(line: string): number {
  return /^\s*/.exec(line)![0].replace(/\t/g, "    ").length;
}

/** The function enclosing 1-based `lineNo`, with its extent. */
export function enclosingFunction(source: string, lineNo: number, lang: Language): FunctionSpan | null {
  const lines = source.split("\n");
  if (lineNo < 1 || lineNo > lines.length) return null;
  for (let i = lineNo - 1; i >= 0; i--) {
    const name = functionHeader(lines[i]!, lang);
    if (!name) continue;
    const end = functionEnd(lines, i, lang);
    if (end + 1 >= lineNo) return { name, start: i + 1, end: end + 1 };
  }
  return null;
}

/** 0-based index of the last line of the function whose header is at `start`. */
function functionEnd(lines: string[], start: number, lang: Language): number {
  if (lang === "python" || lang === "ruby") {
    const base = indentOf(lines[start]!);
    let last = start;
    for (let i = start + 1; i < lines.length; i++) {
      const l = lines[i]!;
      if (l.trim() === "") continue;
      if (indentOf(l) <= base && !/^\s*[)\]}]/.test(l)) {
        if (lang === "ruby" && l.trim() === "end") last = i;
        break;
      }
      last = i;
    }
    return last;
  }
  let depth = 0;
  let opened = false;
  for (let i = start; i < lines.length; i++) {
    for (const ch of stripStrings(lines[i]!)) {
      if (ch === "{") {
        depth++;
        opened = true;
      } else if (ch === "}") depth--;
    }
    if (opened && depth <= 0) return i;
    // An arrow function without braces ends at its line's semicolon.
    if (!opened && i > start + 2) return i;
  }
  return lines.length - 1;
}

function stripStrings(line: string): string {
  return line.replace(/(["'`])(?:\\.|(?!\1).)*\1/g, '""').replace(/\/\/.*$|#.*$/, "");
}

/** Functions called in a block of code, in order of first call, without keywords or method calls on `this`. */
export function callsIn(code: string): string[] {
  const out: string[] = [];
  for (const m of stripStrings(code).matchAll(/(?<![.\w$])([A-Za-z_$][\w$]*)\s*\(/g)) {
    const name = m[1]!;
    if (!KEYWORDS.has(name) && !out.includes(name)) out.push(name);
  }
  for (const m of stripStrings(code).matchAll(/\b(?:self|this|[a-z_]\w*)\.([A-Za-z_$][\w$]*)\s*\(/g)) {
    const name = m[1]!;
    if (!KEYWORDS.has(name) && !out.includes(name)) out.push(name);
  }
  return out;
}

/** The line (1-based) where `name` is defined as a function in `source`, or null. */
export function definitionLine(source: string, name: string, lang: Language): number | null {
  const lines = source.split("\n");
  for (let i = 0; i < lines.length; i++) if (functionHeader(lines[i]!, lang) === name) return i + 1;
  return null;
}

/**
 * The variable a failing line reads when it fails: `rates[...]` → rates, `rule.percent` → rule,
 * `order.customer.email` → order. Picks the receiver of the first subscript or member access.
 */
export function readVariable(line: string): string | null {
  const t = stripStrings(line);
  const m = /(?<![.\w$])([A-Za-z_$][\w$]*)\s*(?:\[|\??\.(?!\.)\s*[A-Za-z_$])/.exec(
    t.replace(/^\s*(?:return|const|let|var|throw|raise|await)\b/, ""),
  );
  if (!m) return null;
  const name = m[1]!;
  return KEYWORDS.has(name) ||
    ["self", "this", "cls", "console", "log", "logger", "Math", "JSON", "Object"].includes(name)
    ? null
    : name;
}

/**
 * Where `variable` got its value inside the function before `lineNo`: the function it was assigned from
 * (`rates = load_tax_rates(...)`, `const rule = findRule(...)`), or null.
 */
export function producerOf(
  source: string,
  span: FunctionSpan,
  lineNo: number,
  variable: string,
): { fn: string; line: number; receiver?: string } | null {
  const lines = source.split("\n");
  const escaped = variable.replace(/\$/g, "\\$");
  const assign = new RegExp(
    `(?:^|[\\s,(])(?:const|let|var|final|val|auto)?\\s*(?:[\\w<>\\[\\]]+\\s+)?${escaped}\\s*(?::[^=]+)?=(?!=)\\s*(?:await\\s+)?((?:[\\w$]+\\.)*)([A-Za-z_$][\\w$]*)\\s*\\(`,
  );
  for (let i = lineNo - 2; i >= span.start - 1; i--) {
    const m = assign.exec(lines[i] ?? "");
    if (!m || KEYWORDS.has(m[2]!)) continue;
    const receiver = m[1]!.replace(/\.$/, "");
    return receiver ? { fn: m[2]!, line: i + 1, receiver } : { fn: m[2]!, line: i + 1 };
  }
  return null;
}

/** Identifier-like tokens named by an error message: `'percent'`, `"sku"`, `attribute 'street'`, `reading 'id'`. */
export function messageTokens(message: string | null): string[] {
  if (!message) return [];
  const out = new Set<string>();
  for (const m of message.matchAll(/['"`]([A-Za-z_$][\w$.-]{1,60})['"`]/g)) {
    const token = m[1]!;
    if (!["NoneType", "undefined", "null", "object", "str", "int", "dict", "list"].includes(token))
      out.add(token);
  }
  return [...out];
}

/** The type a variable is declared with: `ObjectType proto = …`, `List<Foo> foos;`, `parser: Parser`. */
export function declaredType(source: string, variable: string): string | null {
  const name = variable.replace(/\$/g, "\\$");
  const m =
    new RegExp(`\\b([A-Z][\\w$]*)(?:<[^;=()]*>)?(?:\\[\\])*\\s+${name}\\s*[=;,)]`).exec(source) ??
    new RegExp(`\\b${name}\\s*:\\s*([A-Z][\\w$]*)`).exec(source);
  return m?.[1] ?? null;
}
