import { createRequire } from "node:module";

/**
 * Packages loaded on first use rather than at start-up. `initialize` is answered before any tool runs, and
 * these cost tens of milliseconds to load (undici alone ~60 ms), so a stdio client waits that much less for
 * the server to start. Each is a CommonJS package, so a synchronous `require` keeps the call sites as they were.
 */
const require = createRequire(import.meta.url);

function once<T>(load: () => T): () => T {
  let loaded: { value: T } | null = null;
  return () => {
    loaded ??= { value: load() };
    return loaded.value;
  };
}

export const undici = once(() => require("undici") as typeof import("undici"));
export const yaml = once(() => require("yaml") as typeof import("yaml"));
