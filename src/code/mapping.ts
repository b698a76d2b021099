import type { Frame } from "../sentry/types.ts";
import { modulePaths, type NormalizedPath, normalizeRawPath } from "./frame-path.ts";

export { normalizeFramePath } from "./frame-path.ts";

/**
 * Frame → repository file, deterministically. A Sentry code mapping (stack root → source root) is tried
 * first; then the longest suffix of the frame's path that names exactly one tracked file wins. Ties are
 * broken only by the repository's path prefix or the mapping's source root; anything still ambiguous is
 * reported with its candidates, never guessed.
 */

interface MappingHints {
  /** Sentry code mapping: the prefix the stack shows … */
  stackRoot?: string;
  /** … and what it stands for in the repository. */
  sourceRoot?: string;
  /** The directory of the repository this project lives in (monorepos). */
  pathPrefix?: string;
}

interface FrameMapping {
  path: string | null;
  candidates: string[];
  reason: string;
}

interface FileIndex {
  set: Set<string>;
  byBase: Map<string, string[]>;
}

// Mapping runs per frame over the same list; index it once per list.
const indexes = new WeakMap<readonly string[], FileIndex>();

function indexOf(files: readonly string[]): FileIndex {
  let index = indexes.get(files);
  if (!index) {
    index = { set: new Set(files), byBase: new Map() };
    for (const f of files) {
      const base = f.slice(f.lastIndexOf("/") + 1);
      const list = index.byBase.get(base);
      if (list) list.push(f);
      else index.byBase.set(base, [f]);
    }
    indexes.set(files, index);
  }
  return index;
}

const MAX_CANDIDATES = 5;

export function mapFrame(frame: Frame, files: readonly string[], hints: MappingHints = {}): FrameMapping {
  const index = indexOf(files);
  const prefix = dir(hints.pathPrefix);

  const viaMapping = applyCodeMapping(frame, hints, index);
  if (viaMapping)
    return {
      path: viaMapping,
      candidates: [viaMapping],
      reason: "Sentry code mapping (stack root → source root)",
    };

  const forms = [normalizeRawPath(frame.absPath), normalizeRawPath(frame.filename)].filter(
    (n): n is NormalizedPath => n !== null,
  );
  const modules = modulePaths(frame);
  if (forms.length === 0 && modules.length === 0) {
    return {
      path: null,
      candidates: [],
      reason: "the frame has no file name (native, anonymous or generated code)",
    };
  }
  const third = forms.find((f) => f.thirdParty)?.thirdParty ?? null;
  let best: Suffix | null = null;
  for (const attempt of suffixAttempts(forms, modules, third)) {
    if (prefix && index.set.has(`${prefix}${attempt.path}`)) {
      const p = `${prefix}${attempt.path}`;
      return {
        path: p,
        candidates: [p],
        reason: `the frame path under the repository's path prefix ${prefix}`,
      };
    }
    const found = longestSuffix(attempt.path, index, attempt.minK);
    if (found && (!best || found.k > best.k)) best = { ...found, path: attempt.path };
  }
  if (best) return fromSuffix(best, prefix, dir(hints.sourceRoot));
  return withoutSuffix(frame, forms, modules, third, index);
}

type ThirdParty = NonNullable<NormalizedPath["thirdParty"]>;

/** The paths to match by suffix, each with how many of its trailing segments must match at least. */
function suffixAttempts(
  forms: NormalizedPath[],
  modules: string[],
  third: ThirdParty | null,
): Array<{ path: string; minK: number }> {
  if (third) {
    // Your own package, installed: node_modules/@acme/shared/src/x.ts ↔ packages/shared/src/x.ts.
    const pkgDir = third.pkg.split("/").pop()!;
    const rest = third.kind === "node_modules" ? `${pkgDir}/${third.rest}` : `${third.pkg}/${third.rest}`;
    return [{ path: rest, minK: rest.split("/").length }];
  }
  const attempts = forms.map((form) => ({
    path: form.path,
    minK: Math.min(2, form.path.split("/").length),
  }));
  // A module names the whole package path, so all of it must match: flask.app ≠ services/payments/app/.
  for (const m of modules) attempts.push({ path: m, minK: m.split("/").length });
  return attempts;
}

interface Suffix {
  k: number;
  files: string[];
  path: string;
}

/** The longest matching suffix's files, narrowed by the path prefix and source root; several: ambiguous. */
function fromSuffix(best: Suffix, prefix: string, sourceRoot: string): FrameMapping {
  let chosen = best.files;
  if (chosen.length > 1 && prefix) chosen = narrow(chosen, prefix);
  if (chosen.length > 1 && sourceRoot) chosen = narrow(chosen, sourceRoot);
  const what = best.k === 1 ? "file name" : `last ${best.k} path segments`;
  if (chosen.length === 1) {
    return {
      path: chosen[0]!,
      candidates: chosen,
      reason: `unique match on the ${what} (${suffix(best.path, best.k)})`,
    };
  }
  return {
    path: null,
    candidates: chosen.slice(0, MAX_CANDIDATES),
    reason: `ambiguous: ${chosen.length} files end in ${suffix(best.path, best.k)}; not guessing`,
  };
}

/** No suffix matched: a file name unique in the repository (in-app frames only), or why nothing maps. */
function withoutSuffix(
  frame: Frame,
  forms: NormalizedPath[],
  modules: string[],
  third: ThirdParty | null,
  index: FileIndex,
): FrameMapping {
  const name = (forms[0]?.path ?? modules[0] ?? "").split("/").pop() ?? "";
  const same = index.byBase.get(name) ?? [];
  if (frame.inApp && !third && same.length === 1) {
    return {
      path: same[0]!,
      candidates: same,
      reason: `only file named ${name} in the repository (weak: directories differ)`,
    };
  }
  if (third) {
    return {
      path: null,
      candidates: [],
      reason: `third-party package ${third.pkg} (${third.kind}), not in this repository`,
    };
  }
  const shown = forms[0]?.path ?? modules[0] ?? "";
  if (forms[0]?.bundle) {
    return {
      path: null,
      candidates: [],
      reason: `${shown} looks like a built bundle; upload source maps so Sentry resolves the original file`,
    };
  }
  return {
    path: null,
    candidates: same.slice(0, MAX_CANDIDATES),
    reason: `no file in the repository matches ${shown}`,
  };
}

function longestSuffix(path: string, index: FileIndex, minK: number): { k: number; files: string[] } | null {
  const segments = path.split("/");
  const base = segments.at(-1)!;
  const pool = index.byBase.get(base);
  if (!pool) return null;
  for (let k = segments.length; k >= Math.max(1, minK); k--) {
    const tail = segments.slice(-k).join("/");
    const files = pool.filter((f) => f === tail || f.endsWith(`/${tail}`));
    if (files.length > 0) return { k, files };
  }
  return null;
}

/** Sentry's own rule: a frame path starting with the stack root stands for source root + the rest. */
function applyCodeMapping(frame: Frame, hints: MappingHints, index: FileIndex): string | null {
  if (hints.stackRoot === undefined || hints.sourceRoot === undefined) return null;
  const stackRoot = hints.stackRoot;
  const raw = [
    frame.absPath,
    frame.filename,
    normalizeRawPath(frame.absPath)?.path,
    normalizeRawPath(frame.filename)?.path,
  ];
  for (const candidate of raw) {
    if (!candidate) continue;
    const p = candidate.replace(/\\/g, "/");
    if (stackRoot !== "" && !p.startsWith(stackRoot)) continue;
    const mapped = `${hints.sourceRoot}${p.slice(stackRoot.length)}`
      .replace(/^\.?\/+/, "")
      .replace(/\/{2,}/g, "/");
    if (index.set.has(mapped)) return mapped;
  }
  return null;
}

function narrow(files: string[], under: string): string[] {
  const inside = files.filter((f) => f.startsWith(under));
  return inside.length > 0 ? inside : files;
}

function dir(value: string | undefined): string {
  const v = (value ?? "")
    .replace(/\\/g, "/")
    .replace(/^\.?\/+/, "")
    .replace(/\/+$/, "");
  return v ? `${v}/` : "";
}

function suffix(path: string, k: number): string {
  return path.split("/").slice(-k).join("/");
}
