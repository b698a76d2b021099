import { inputError } from "../errors.ts";
import type { SentryClient } from "./client.ts";
import { arr, isObj, str, text } from "./lenient.ts";
import { enc } from "./paths.ts";

/** Project slug → numeric id (list endpoints filter by id), cached per client and organisation. */
const cache = new WeakMap<SentryClient, Map<string, Promise<Map<string, string>>>>();

async function projectIds(
  sentry: SentryClient,
  org: string,
  signal?: AbortSignal,
): Promise<Map<string, string>> {
  let perOrg = cache.get(sentry);
  if (!perOrg) {
    perOrg = new Map();
    cache.set(sentry, perOrg);
  }
  let pending = perOrg.get(org);
  if (!pending) {
    pending = (async () => {
      const out = new Map<string, string>();
      let cursor: string | null = null;
      for (let page = 0; page < 10; page++) {
        const res = await sentry.getJson(
          org,
          `/organizations/${enc(org)}/projects/`,
          { cursor: cursor ?? undefined, per_page: 100 },
          signal,
        );
        for (const p of arr(res.body).filter(isObj)) {
          const slug = text(p.slug);
          const id = str(p.id);
          if (slug && id) out.set(slug, id);
        }
        cursor = res.next;
        if (!cursor) break;
      }
      return out;
    })();
    pending.catch(() => perOrg!.delete(org));
    perOrg.set(org, pending);
  }
  return pending;
}

/** Accepts a slug or a numeric id. */
export async function projectId(
  sentry: SentryClient,
  org: string,
  project: string,
  signal?: AbortSignal,
): Promise<string> {
  if (/^\d+$/.test(project)) return project;
  const ids = await projectIds(sentry, org, signal);
  const id = ids.get(project);
  if (!id) {
    const known = [...ids.keys()].slice(0, 10).join(", ");
    throw inputError(
      `project "${project}" is not in organization "${org}".`,
      known ? `Known projects: ${known}.` : "Check the project slug.",
    );
  }
  return id;
}
