import {
  declaredType,
  definitionLine,
  enclosingFunction,
  languageOf,
  producerOf,
  readVariable,
} from "../../analysis/code-structure.ts";
import type { EvidenceSet } from "../../analysis/evidence.ts";
import { importedFiles } from "../../code/imports.ts";
import { isTestPath } from "../../code/test-code.ts";
import type { Signals } from "../gather.ts";
import type { Candidate } from "./candidates.ts";

/**
 * One call hop outside the stack: the failing line reads a variable; if the function assigned it from a call
 * (`rates = load_tax_rates(...)`), the callee produced the bad value and may be where the bug is.
 */
export async function oneHopCandidates(
  signals: Signals,
  top: Candidate[],
  evidence: EvidenceSet,
): Promise<Candidate[]> {
  const out: Candidate[] = [];
  for (const c of top
    .filter((t) => t.repo && t.path && t.line && (t.source === "stack" || t.source === "other_service"))
    .slice(0, 2)) {
    const content = await signals.code.read(c.repo!, c.path!);
    if (!content) continue;
    const lang = languageOf(c.path!);
    const lines = content.split("\n");
    const span = enclosingFunction(content, c.line!, lang);
    const variable = readVariable(lines[c.line! - 1] ?? "");
    if (!span || !variable) continue;
    const producer = producerOf(content, span, c.line!, variable);
    if (!producer || producer.fn === c.function) continue;
    const where = await findDefinition(signals, c.repo!, c.path!, producer.fn, producer.receiver);
    if (!where) continue;
    const codeId = evidence.add(
      `code:${c.repo}:${c.path}:${producer.line}`,
      "code",
      `${c.path}:${producer.line}: ${lines[producer.line - 1]?.trim() ?? ""}`,
      {
        repo: c.repo,
        path: c.path,
        line: producer.line,
        code: lines[producer.line - 1]?.trim() ?? null,
      },
    );
    out.push({
      repo: c.repo,
      path: where.path,
      line: where.line,
      function: producer.fn,
      score: 0.4,
      reasons: [
        `produced \`${variable}\`, the value ${c.function ?? "the failing function"} reads on the failing line (one call outside the stack)`,
      ],
      evidence: [...c.evidence, codeId],
      source: "one_hop",
      // A test helper that built the value is context like the rest of the test code.
      ...(isTestPath(where.path) ? { test: true } : {}),
    });
  }
  return out;
}

/**
 * A function's definition: in the same file, a file it imports, or (for a call without a receiver) a file
 * changed in the regression window.
 */
async function findDefinition(
  signals: Signals,
  repo: string,
  fromPath: string,
  fn: string,
  receiver: string | undefined,
): Promise<{ path: string; line: number } | null> {
  const state = signals.repos.get(repo);
  if (!state) return null;
  const lang = languageOf(fromPath);
  const source = (await signals.code.read(repo, fromPath)) ?? "";
  const local = definitionLine(source, fn, lang);
  if (local) return { path: fromPath, line: local };
  const imported = importedFiles(source, fromPath, state.files);
  // `shape.area()` runs the class `shape` was declared as (or a subclass): its file, when the declaration
  // names one; a recently changed file that happens to define `area` would be a guess.
  const own = !receiver || /^(this|self|cls)$/.test(receiver);
  const declared = own ? null : declaredType(source, receiver!);
  const ext = fromPath.slice(fromPath.lastIndexOf("."));
  const changed = own
    ? state.window.flatMap((c) => c.files ?? []).filter((f) => languageOf(f) === lang)
    : state.files.filter((f) => declared && f.endsWith(`/${declared}${ext}`));
  for (const path of [...new Set([...imported, ...changed])].slice(0, 60)) {
    const content = await signals.code.read(repo, path);
    const line = content ? definitionLine(content, fn, lang) : null;
    if (line) return { path, line };
  }
  return null;
}
