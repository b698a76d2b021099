import { enclosingFunction, type Language } from "./code-structure.ts";

/**
 * What a stack frame's line does, read from the source at the release: does it build an exception without
 * raising it (a factory, so the raise happened in its caller), and does it sit inside a loop of its
 * function (where an iteration or evaluation limit is reached).
 */

const CONSTRUCTS_EXCEPTION = /\bnew\s+[\w.$]*(Exception|Error|Throwable|Failure)\s*[(<]/;
const RAISES = /\b(throw|raise|panic)\b/;

/** `return new IllegalArgumentException(...)`: the JVM records the stack where the object is built. */
export function buildsExceptionOnly(line: string | null): boolean {
  if (!line) return false;
  return CONSTRUCTS_EXCEPTION.test(line) && !RAISES.test(line);
}

const LOOP_HEADER: Record<string, RegExp> = {
  brace: /^\s*(?:}\s*)?(for|while|do)\b|\.forEach\s*\(/,
  python: /^\s*(?:async\s+)?(for|while)\b.*:\s*(#.*)?$/,
};

/** True when the line lies in the body of a for/while/do loop of its enclosing function. */
export function insideLoop(source: string, lineNo: number, lang: Language): boolean {
  const span = enclosingFunction(source, lineNo, lang);
  if (!span) return false;
  const lines = source.split("\n");
  if (lang === "python" || lang === "ruby") {
    const indent = (l: string) => l.length - l.trimStart().length;
    let floor = indent(lines[lineNo - 1] ?? "");
    for (let i = lineNo - 2; i >= span.start; i--) {
      const l = lines[i]!;
      if (!l.trim() || indent(l) >= floor) continue;
      if (LOOP_HEADER.python!.test(l) || (lang === "ruby" && /^\s*(while|until|loop|\w+\.each)\b/.test(l)))
        return true;
      floor = indent(l);
    }
    return false;
  }
  for (let header = lineNo - 1; header >= span.start; header--) {
    if (!LOOP_HEADER.brace!.test(lines[header - 1]!)) continue;
    if (loopEnd(lines, header) >= lineNo) return true;
  }
  return false;
}

/** The last line of a brace-language loop starting at `header` (1-based). */
function loopEnd(lines: string[], header: number): number {
  let depth = 0;
  let opened = false;
  for (let i = header - 1; i < lines.length; i++) {
    for (const ch of lines[i]!.replace(/"(\\.|[^"\\])*"|'(\\.|[^'\\])*'|\/\/.*$/g, "")) {
      if (ch === "{") {
        depth++;
        opened = true;
      } else if (ch === "}") depth--;
    }
    if (opened && depth <= 0) return i + 1;
    // A loop without braces has a one-statement body.
    if (!opened && i > header - 1 && /;\s*$/.test(lines[i]!)) return i + 1;
  }
  return lines.length;
}

/**
 * True when `variable` is a parameter of the function enclosing `lineNo` and the function does not assign it
 * before that line: its value came from the caller as it is.
 */
export function unchangedParameter(
  source: string,
  lineNo: number,
  variable: string,
  lang: Language,
): boolean {
  const span = enclosingFunction(source, lineNo, lang);
  if (!span) return false;
  const lines = source.split("\n");
  // The header may wrap: read from its line to the parenthesis that closes the parameter list.
  const header = lines.slice(span.start - 1, Math.min(lineNo, span.start + 5)).join(" ");
  const open = header.indexOf("(");
  if (open < 0) return false;
  let depth = 0;
  let close = -1;
  for (let i = open; i < header.length; i++) {
    if (header[i] === "(") depth++;
    else if (header[i] === ")" && --depth === 0) {
      close = i;
      break;
    }
  }
  if (close < 0) return false;
  const names = header
    .slice(open + 1, close)
    .split(",")
    .map(
      (p) =>
        p
          .replace(/[:=].*$/s, "")
          .trim()
          .split(/\s+/)
          .pop()
          ?.replace(/^[*&.]+/, "") ?? "",
    );
  if (!names.includes(variable)) return false;
  const assigned = new RegExp(
    `(^|[^\\w$.])${variable.replace(/\$/g, "\\$")}\\s*(=(?!=)|\\+=|-=|\\?\\?=|\\|\\|=)`,
  );
  return !lines.slice(span.start, lineNo - 1).some((l) => assigned.test(l));
}

/**
 * The arguments of the call a line makes, when each is a bare name: `return Integer.decode(str);` → [str],
 * `addPropertyInternal(key, value)` → [key, value]. `callee` picks the call by name; without it, the last
 * call on the line. Null when there is no such call or an argument is anything but a name (an expression,
 * a call, a literal): then the line did something to the value.
 */
export function passedNames(line: string, callee: string | null = null): string[] | null {
  const text = line.slice(0, 2_000).replace(/"(\\.|[^"\\])*"|'(\\.|[^'\\])*'/g, '""');
  const calls = [...text.matchAll(/(?<![\w$])([A-Za-z_$][\w$]*)\s*\(/g)].filter(
    (m) => !/^(if|for|while|switch|catch|return|new|throw)$/.test(m[1]!) && (!callee || m[1] === callee),
  );
  const call = calls.at(-1);
  if (!call) return null;
  let depth = 0;
  let end = -1;
  const open = call.index! + call[0].length - 1;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "(") depth++;
    else if (text[i] === ")" && --depth === 0) {
      end = i;
      break;
    }
  }
  if (end < 0) return null;
  const inner = text.slice(open + 1, end).trim();
  if (!inner) return null;
  // A cast changes the type, not the value: `(Vector3D) point` passes `point`.
  const args = inner.split(",").map((a) => a.trim().replace(/^\((?:final\s+)?[A-Z][\w$.<>[\]]*\)\s*/, ""));
  return args.every((a) => /^[A-Za-z_$][\w$]*$/.test(a) && !/^(this|self|null|None|true|false|nil)$/.test(a))
    ? args
    : null;
}

/**
 * The condition a deliberate throw on `lineNo` (1-based) is guarded by: the `if` on its line or one of the two
 * above (`if (x < 0) throw …`). Null when the throw is not guarded that way. (A `switch`'s `default: throw`
 * is not a check of the input: on bench:real the missing `case` was the bug as often as the caller.)
 */
export function guardCondition(source: string, lineNo: number): string | null {
  const lines = source.split("\n");
  const line = lines[lineNo - 1] ?? "";
  if (!RAISES.test(line)) return null;
  const guard = [line, lines[lineNo - 2] ?? "", lines[lineNo - 3] ?? ""].find((l) =>
    /^\s*(}\s*else\s+)?(if|unless)\b/.test(l),
  );
  return guard ? guard.replace(/\b(throw|raise)\b.*$/, "") : null;
}

/** The variables a condition reads: `if (x < 0 || y == null)` → x, y (not calls, keywords or literals). */
export function conditionNames(condition: string): string[] {
  const text = condition.replace(/"(\\.|[^"\\])*"|'(\\.|[^'\\])*'/g, "");
  return [...new Set(text.match(/(?<![.\w$])[A-Za-z_$][\w$]*\b(?![\w$]|\s*\()/g) ?? [])].filter(
    (n) =>
      !/^(if|else|unless|not|and|or|is|in|None|null|undefined|true|false|True|False|typeof|instanceof|Number|isFinite|isNaN|length|switch|int|long|short|byte|char|float|double|boolean)$/.test(
        n,
      ) && !/^[A-Z][A-Z0-9_]*$/.test(n),
  );
}

/**
 * True when `variable` holds only what the caller passed: an unchanged parameter, or a local assigned once
 * from such values, constants and library calls on them (`int i = Character.digit((char) b, 16)`,
 * `len = val.toByteArray().length`). A call to the function's own code (a bare `compute(…)`) is logic that
 * can be wrong, so it does not count.
 */
export function fromParameters(
  source: string,
  lineNo: number,
  variable: string,
  lang: Language,
  depth = 0,
): boolean {
  if (unchangedParameter(source, lineNo, variable, lang)) return true;
  const span = enclosingFunction(source, lineNo, lang);
  if (!span || depth >= 3) return false;
  const escaped = variable.replace(/\$/g, "\\$");
  const assign = new RegExp(`^\\s*(?:final\\s+)?(?:[\\w<>[\\],.]+\\s+)?${escaped}\\s*=(?!=)(.*)$`);
  const assigned = source
    .split("\n")
    .slice(span.start, lineNo - 1)
    .map((l) => assign.exec(l)?.[1])
    .filter((e) => e !== undefined);
  if (assigned.length !== 1) return false;
  const expr = assigned[0]!
    .replace(/"(\\.|[^"\\])*"|'(\\.|[^'\\])*'/g, '""')
    .replace(/\(\s*[A-Za-z_][\w.<>[\]]*\s*\)\s*(?=[\w$(])/g, "");
  if (/(?<![.\w$])[a-z_$][\w$]*\s*\(/.test(expr)) return false;
  const names = conditionNames(expr).filter((n) => !/^[A-Z]/.test(n));
  return (
    names.length > 0 &&
    names.every((n) => n !== variable && fromParameters(source, lineNo, n, lang, depth + 1))
  );
}
