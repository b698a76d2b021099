import type { Json, SandboxIssue, Scenario } from "./scenario.ts";

/** Lookups over a Scenario the way Sentry resolves them: ids or slugs, numeric or short issue IDs. */
export class ScenarioStore {
  /** Comments posted to issues (`POST …/issues/{id}/comments/`), for tests to inspect. */
  readonly comments: Array<{ issueId: string; text: string }> = [];

  constructor(public scenario: Scenario) {}

  isOrg(idOrSlug: string): boolean {
    const org = this.scenario.organization;
    return idOrSlug === org.slug || idOrSlug === String(org.id);
  }

  project(idOrSlug: string): Json | undefined {
    return this.scenario.projects.find((p) => p.slug === idOrSlug || String(p.id) === idOrSlug);
  }

  /** Numeric id or short ID (case-insensitive), as org-scoped issue routes accept both. */
  issue(idOrShort: string): SandboxIssue | undefined {
    const wanted = idOrShort.toUpperCase();
    return this.scenario.issues.find(
      (i) => String(i.issue.id) === idOrShort || String(i.issue.shortId ?? "").toUpperCase() === wanted,
    );
  }

  event(eventId: string): { issue: SandboxIssue; event: Json } | undefined {
    const id = eventId.toLowerCase().replace(/-/g, "");
    for (const issue of this.scenario.issues) {
      const event = issue.events.find((e) => String(e.eventID ?? e.id).toLowerCase() === id);
      if (event) return { issue, event };
    }
    return undefined;
  }

  /** `latest`, `oldest`, `recommended` or an event ID, within one issue. */
  issueEvent(issue: SandboxIssue, which: string): Json | undefined {
    const events = issue.events;
    if (events.length === 0) return undefined;
    const withNeighbours = (i: number): Json => ({
      ...events[i]!,
      nextEventID: i + 1 < events.length ? String(events[i + 1]!.eventID ?? events[i + 1]!.id) : null,
      previousEventID: i > 0 ? String(events[i - 1]!.eventID ?? events[i - 1]!.id) : null,
    });
    if (which === "latest") return withNeighbours(events.length - 1);
    if (which === "oldest") return withNeighbours(0);
    const id =
      which === "recommended"
        ? (issue.recommendedEventId ?? String(events[events.length - 1]!.eventID))
        : which;
    const index = events.findIndex((e) => String(e.eventID ?? e.id).toLowerCase() === id.toLowerCase());
    return index >= 0 ? withNeighbours(index) : undefined;
  }
}

/**
 * Sentry-style pagination: `cursor=0:<offset>:0`, a `Link` header with both directions and
 * `results="true|false"`.
 */
export function paginate(
  items: unknown[],
  query: URLSearchParams,
  url: string,
  defaultPerPage = 100,
): { body: unknown[]; headers: Record<string, string> } {
  const perPage = Math.min(
    Math.max(Number(query.get("per_page") ?? query.get("limit") ?? defaultPerPage) || defaultPerPage, 1),
    100,
  );
  const offset = Math.max(Number((query.get("cursor") ?? "0:0:0").split(":")[1]) || 0, 0);
  const page = items.slice(offset, offset + perPage);
  const next = `0:${offset + perPage}:0`;
  const prev = `0:${Math.max(offset - perPage, 0)}:1`;
  const link = (cursor: string) => {
    const q = new URLSearchParams(query);
    q.set("cursor", cursor);
    return `${url}?${q.toString()}`;
  };
  const hasNext = offset + perPage < items.length;
  const hasPrev = offset > 0;
  return {
    body: page,
    headers: {
      link: `<${link(prev)}>; rel="previous"; results="${hasPrev}"; cursor="${prev}", <${link(next)}>; rel="next"; results="${hasNext}"; cursor="${next}"`,
    },
  };
}
