import type { SentryClient } from "./client.ts";

/** What completion needs: the Sentry client and a clock (a context has both). */
interface Deps {
  sentry: SentryClient;
  clock: { now(): number };
}

/**
 * Suggestions for an `issue` argument: recent unresolved issues whose short ID or title starts with (or
 * contains) what was typed. Cached briefly, since clients ask on every keystroke.
 */
const cache = new WeakMap<
  SentryClient,
  { at: number; items: Promise<Array<{ shortId: string; title: string }>> }
>();
const TTL_MS = 60_000;

export async function completeIssue(value: string, context: Deps): Promise<string[]> {
  let entry = cache.get(context.sentry);
  if (!entry || context.clock.now() - entry.at > TTL_MS) {
    const items = (async () => {
      const org = await context.sentry.org();
      const page = await context.sentry.listIssues(org, {
        query: "is:unresolved",
        sort: "date",
        limit: 50,
        statsPeriod: "14d",
      });
      return page.issues.filter((i) => i.shortId).map((i) => ({ shortId: i.shortId!, title: i.title }));
    })();
    entry = { at: context.clock.now(), items };
    cache.set(context.sentry, entry);
    items.catch(() => cache.delete(context.sentry));
  }
  const typed = value.trim().toLowerCase();
  const items = await entry.items;
  const starts = items.filter((i) => i.shortId.toLowerCase().startsWith(typed));
  const contains = items.filter(
    (i) =>
      !starts.includes(i) &&
      (i.shortId.toLowerCase().includes(typed) || i.title.toLowerCase().includes(typed)),
  );
  return [...starts, ...contains].slice(0, 20).map((i) => i.shortId);
}
