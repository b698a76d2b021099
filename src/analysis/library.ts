import { normalizeRawPath } from "../code/frame-path.ts";
import type { Stacktrace } from "../sentry/types.ts";

/**
 * The library an error was raised in: the innermost frame of installed third-party code
 * (`node_modules/date-fns/…`, `site-packages/requests/…`), with the version its path shows when it shows
 * one (`.pnpm/date-fns@2.30.0/`, `requests-2.31.0-py3.11.egg/`).
 */

export interface LibraryFrame {
  name: string;
  version: string | null;
  /** `package/path/in/it.py:12 in function` */
  frame: string;
}

export function throwingLibrary(stack: Stacktrace | null): LibraryFrame | null {
  // Runtime frames (JSON.parse, the standard library) may sit above it: the nearest installed package
  // before any application frame is the library that raised.
  for (const frame of [...(stack?.frames ?? [])].reverse()) {
    if (frame.inApp) return null;
    const third = (normalizeRawPath(frame.absPath) ?? normalizeRawPath(frame.filename))?.thirdParty;
    if (!third) continue;
    const raw = (frame.absPath ?? frame.filename ?? "").replace(/\\/g, "/");
    return {
      name: third.pkg,
      version: versionIn(raw, third.pkg),
      frame: `${third.pkg}/${third.rest}${frame.lineNo !== null ? `:${frame.lineNo}` : ""} in ${frame.function ?? "?"}`,
    };
  }
  return null;
}

function versionIn(path: string, pkg: string): string | null {
  const name = pkg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const m =
    new RegExp(`(?:^|/)${name}@(\\d[\\w.+-]*)/`).exec(path) ??
    new RegExp(
      `(?:^|/)${name.replace(/[-_]/g, "[-_]")}-(\\d[\\w.+]*?)(?:-py[\\d.]+)?\\.(?:egg|dist-info)/`,
      "i",
    ).exec(path);
  return m ? m[1]! : null;
}
