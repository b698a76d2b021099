/**
 * Sentry paginates with a `Link` header:
 * `<url?cursor=0:0:1>; rel="previous"; results="false"; cursor="0:0:1", <url?cursor=0:100:0>; rel="next"; results="true"; cursor="0:100:0"`.
 * A direction only has more data when `results="true"`.
 */
interface LinkCursors {
  next: string | null;
  previous: string | null;
}

export function parseLinkHeader(header: string | null | undefined): LinkCursors {
  const out: LinkCursors = { next: null, previous: null };
  if (!header) return out;
  // Split on commas that start a new <url> entry; URLs themselves may contain commas.
  for (const part of header.split(/,\s*(?=<)/)) {
    const rel = /;\s*rel="?([a-z]+)"?/i.exec(part)?.[1]?.toLowerCase();
    const results = /;\s*results="?(true|false)"?/i.exec(part)?.[1]?.toLowerCase();
    let cursor = /;\s*cursor="([^"]*)"/i.exec(part)?.[1] ?? null;
    if (cursor === null) {
      const url = /<([^>]*)>/.exec(part)?.[1];
      if (url) {
        try {
          cursor = new URL(url, "http://x").searchParams.get("cursor");
        } catch {
          cursor = null;
        }
      }
    }
    if ((rel === "next" || rel === "previous") && results === "true" && cursor) out[rel] = cursor;
  }
  return out;
}
