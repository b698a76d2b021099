import type { Frame } from "../sentry/types.ts";

/**
 * Turns whatever an SDK put in a frame's `absPath`/`filename` into a plain relative path: URL schemes
 * (`webpack:///./`, `webpack-internal:///(rsc)/`, `app:///`, `file://`, `https://host/`), Sentry's `~/`,
 * query strings, Windows drives and backslashes, `./` and `../` are removed. Paths inside `node_modules`
 * or `site-packages` keep the package and the path within it, flagged as third-party.
 */

export interface NormalizedPath {
  path: string;
  /** The frame pointed into an installed package. */
  thirdParty: { kind: "node_modules" | "site-packages"; pkg: string; rest: string } | null;
  /** It looks like a built bundle (hashed or minified), which only a source map can resolve. */
  bundle: boolean;
}

const NO_FILE = /^(<.*>|\[native code\]|native|unknown|\?+|null|undefined)$/i;

export function normalizeRawPath(raw: string | null | undefined): NormalizedPath | null {
  let s = (raw ?? "").trim();
  if (!s || NO_FILE.test(s) || /^(node|bun|deno):/.test(s) || s.startsWith("internal/")) return null;
  s = s.replace(/[?#].*$/, "");
  if (/%[0-9A-Fa-f]{2}/.test(s)) {
    try {
      s = decodeURIComponent(s);
    } catch {
      // keep the raw text: a stray % is not worth failing over
    }
  }
  s = s.replace(/^webpack-internal:\/\/\/?/, "");
  s = s.replace(/^webpack:\/\/[^/]*\//, "");
  s = s.replace(/^file:\/\//, "");
  s = s.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, "");
  s = s.replace(/\\/g, "/");
  s = s.replace(/^\/\/[^/]+\/[^/]+\//, ""); // UNC \\server\share\
  s = s.replace(/^\/?[A-Za-z]:\//, ""); // C:\ or /C:/
  s = s.replace(/^~\//, "");
  const segments: string[] = [];
  for (const seg of s.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      segments.pop();
      continue;
    }
    // Next.js and webpack layers: webpack-internal:///(rsc)/./src/app/page.tsx
    if (segments.length === 0 && /^\(.+\)$/.test(seg)) continue;
    segments.push(seg);
  }
  if (segments.length === 0) return null;
  const path = segments.join("/");
  return { path, thirdParty: thirdParty(segments), bundle: looksBundled(path) };
}

function thirdParty(segments: string[]): NormalizedPath["thirdParty"] {
  for (const kind of ["node_modules", "site-packages", "dist-packages"] as const) {
    const at = segments.lastIndexOf(kind);
    if (at < 0 || at >= segments.length - 1) continue;
    let after = segments.slice(at + 1);
    // An installed egg wraps the package in a directory of its own: site-packages/pkg-1.0-py2.7.egg/pkg/…
    if (/\.egg$/i.test(after[0]!) && after.length > 1) after = after.slice(1);
    const scoped = after[0]!.startsWith("@") && after.length > 2;
    const pkg = scoped ? `${after[0]}/${after[1]}` : after[0]!;
    const rest = after.slice(scoped ? 2 : 1).join("/");
    return { kind: kind === "dist-packages" ? "site-packages" : kind, pkg, rest };
  }
  return null;
}

function looksBundled(path: string): boolean {
  return (
    /\.min\.js$/.test(path) ||
    /[.-][0-9a-f]{6,}\.(m?js|css)$/i.test(path) ||
    /(^|\/)(static\/js|_next\/static|assets)\/[^/]+\.m?js$/.test(path)
  );
}

/** The normalized path of a frame: `absPath` when it yields one, else `filename`. */
export function normalizeFramePath(frame: Frame): string | null {
  return (normalizeRawPath(frame.absPath) ?? normalizeRawPath(frame.filename))?.path ?? null;
}

const JVM_FILE = /\.(java|kt|kts|scala|groovy|clj)$/;

/**
 * Paths a frame's `module` implies, for runtimes whose file names carry no directories: Java-family
 * `com.acme.orders.OrderService` + `OrderService.java` → `com/acme/orders/OrderService.java`, and Python
 * `app.charges` → `app/charges.py` or `app/charges/__init__.py`.
 */
export function modulePaths(frame: Frame): string[] {
  // Generated JVM classes hang off the real one: Service$$Lambda$42/0x…, Service$Inner.
  const module = frame.module?.trim().split("$")[0];
  if (!module || /[\s/\\:]/.test(module)) return [];
  const file = frame.filename?.replace(/\\/g, "/").split("/").pop() ?? "";
  const platform = frame.platform ?? "";
  if (JVM_FILE.test(file) || platform === "java") {
    const parts = module.split(".").filter(Boolean);
    if (parts.length < 2) return [];
    const pkg = parts.slice(0, -1).join("/");
    return [`${pkg}/${JVM_FILE.test(file) ? file : `${parts.at(-1)}.java`}`];
  }
  const python = platform === "python" || file.endsWith(".py") || (!file && /^[\w.]+$/.test(module));
  if (python && /^[A-Za-z_][\w.]*$/.test(module)) {
    const base = module.replace(/\./g, "/");
    return [`${base}.py`, `${base}/__init__.py`];
  }
  return [];
}
