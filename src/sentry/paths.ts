import { inputError } from "../errors.ts";

/** Path segments and query strings of Sentry API URLs, checked so that no input can reach another route. */

export type Query = Record<string, string | number | boolean | Array<string | number> | undefined | null>;

/** Sentry organization slugs: letters, digits, `-` and `_`. */
export const ORG_SLUG = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Sentry project slugs: like organization slugs (letters, digits, `-`, `_`), and never `.` or `..`. */
export function projectSlug(slug: string): string {
  const s = slug.trim();
  if (!ORG_SLUG.test(s))
    throw inputError(
      `"${slug.slice(0, 60)}" is not a project slug.`,
      "Use the slug from the project's URL (letters, digits, - and _), e.g. orders-api; search_issues lists issues with their projects.",
    );
  return s;
}

/**
 * A path segment. Lone surrogates (which encodeURIComponent throws on) become U+FFFD. `.` and `..` pass
 * encodeURIComponent unchanged and a URL parser would remove a path segment for them, so they are refused.
 */
export function enc(segment: string): string {
  if (segment === "." || segment === "..")
    throw inputError(`"${segment}" is not a name Sentry uses.`, "Pass the slug or ID itself.");
  return encodeURIComponent(segment.replace(LONE_SURROGATE, "\uFFFD"));
}

export function queryString(query: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const v of value) params.append(key, String(v));
    else params.append(key, String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : "";
}
