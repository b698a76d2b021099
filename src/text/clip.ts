import { scrubText } from "./scrub.ts";

/** Scrubbed before the cut: a cut first could leave part of a secret that no pattern recognizes any more. */
export function truncate(value: string, max: number): string {
  const s = scrubText(value);
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/**
 * A copy of a JSON-like value with strings, arrays and nesting cut to the given limits; `longer` allows
 * named fields (e.g. a brief) a longer text.
 */
export function clipDeep<T>(
  value: T,
  limits: { text: number; items: number; depth: number; longer?: Record<string, number> },
  depth = 0,
  key = "",
): T {
  if (typeof value === "string") return truncate(value, limits.longer?.[key] ?? limits.text) as T;
  if (value === null || typeof value !== "object") return value;
  if (depth >= limits.depth) return "…" as T;
  if (Array.isArray(value))
    return value.slice(0, limits.items).map((v) => clipDeep(v, limits, depth + 1)) as T;
  return Object.fromEntries(
    Object.entries(value)
      .slice(0, limits.items)
      .map(([k, v]) => [k, clipDeep(v, limits, depth + 1, k)]),
  ) as T;
}
