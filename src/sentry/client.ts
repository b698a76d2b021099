import type { SentryConfig } from "../config.ts";
import { type AppError, configError, inputError, NotFoundError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { SentryHttp } from "./http.ts";
import { arr, isObj, obj, text } from "./lenient.ts";
import { normalizeEvent } from "./normalize-event.ts";
import { normalizeIssue, normalizeOrganization, normalizeTagDistribution } from "./normalize-issue.ts";
import { parseLinkHeader } from "./pagination.ts";
import { enc, ORG_SLUG, type Query, queryString } from "./paths.ts";
import type { Issue, Organization, SentryEvent, TagDistribution } from "./types.ts";

/**
 * `@sentry/api` builds its client (and Node's fetch classes) as it loads, ~15 ms that a stdio server would
 * otherwise spend before answering `initialize`; it is loaded with the first Sentry call instead.
 */
let api: Promise<typeof import("@sentry/api")> | null = null;
const sentryApi = () => {
  api ??= import("@sentry/api");
  return api;
};

export type EventSelector = "recommended" | "latest" | "oldest" | (string & {});

interface JsonResponse {
  body: unknown;
  headers: Record<string, string>;
  next: string | null;
}

interface OrgFacts {
  /** "legacy-only" once `/trace/{id}/` answered 404: older self-hosted installs serve only `/events-trace/`. */
  traceEndpoint?: "current" | "legacy-only";
}

/**
 * The Sentry client: typed `@sentry/api` calls where the package has the endpoint, plain JSON over the same
 * HTTP layer for the rest. Organisation-scoped calls go to the organisation's region host (SaaS) or the single
 * configured host (self-hosted, where `/users/me/regions/` answers 404).
 */
export class SentryClient {
  private readonly regionCache = new Map<string, Promise<string>>();
  private readonly facts = new Map<string, OrgFacts>();
  private defaultOrg: Promise<string> | null = null;

  constructor(
    readonly config: SentryConfig,
    private readonly http: SentryHttp,
    private readonly logger: Logger,
  ) {}

  /**
   * What this server has learned about an organisation's Sentry that does not change between calls (which
   * trace endpoint it serves), so later calls skip the requests that taught it.
   */
  orgFacts(org: string): OrgFacts {
    let facts = this.facts.get(org);
    if (!facts) {
      facts = {};
      this.facts.set(org, facts);
    }
    return facts;
  }

  get requestCount(): number {
    return this.http.requestCount;
  }

  /** The organisation to use: the one named, else SENTRY_ORG, else the token's only organisation. */
  async org(explicit?: string | null, signal?: AbortSignal): Promise<string> {
    if (explicit) {
      if (!ORG_SLUG.test(explicit))
        throw inputError(
          `"${explicit.slice(0, 60)}" is not an organization slug.`,
          "Use the slug from the organization's URL (lowercase letters, digits, - and _), e.g. acme; or leave organization out to use the server's default.",
        );
      return explicit;
    }
    if (this.config.org) return this.config.org;
    this.defaultOrg ??= this.soleOrganization(signal).catch((error) => {
      this.defaultOrg = null;
      throw error;
    });
    return this.defaultOrg;
  }

  async listOrganizations(signal?: AbortSignal): Promise<Organization[]> {
    this.requireToken();
    const res = await (await sentryApi()).listYourOrganizations({
      ...this.typed(this.config.baseUrl, signal),
      query: {},
    });
    return arr(res.data)
      .map(normalizeOrganization)
      .filter((o): o is Organization => o !== null);
  }

  /** Issue details; `id` may be numeric or a short ID. */
  async getIssue(org: string, id: string, signal?: AbortSignal): Promise<Issue> {
    const base = await this.regionBase(org, signal);
    try {
      const res = await (await sentryApi()).retrieveAnIssue({
        ...this.typed(base, signal),
        path: { organization_id_or_slug: org, issue_id: id },
      });
      return normalizeIssue(res.data);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      // Older self-hosted versions resolve short IDs only through /shortids/.
      if (!/^\d+$/.test(id)) {
        try {
          const res = await (await sentryApi()).resolveAShortId({
            ...this.typed(base, signal),
            path: { organization_id_or_slug: org, issue_id: id },
          });
          const group = obj(res.data).group;
          if (isObj(group)) return normalizeIssue(group);
        } catch (inner) {
          if (!(inner instanceof NotFoundError)) throw inner;
        }
      }
      throw new NotFoundError(`issue ${id} was not found in organization "${org}".`, {
        service: "Sentry",
        hint: "Check the ID (short IDs look like ORDERS-API-7A) and the organization (SENTRY_ORG); search_issues lists issues.",
      });
    }
  }

  /** One event of an issue: `recommended` (falls back to `latest` on Sentry versions without it), `latest`, `oldest` or an ID. */
  async getIssueEvent(
    org: string,
    issueId: string,
    which: EventSelector,
    signal?: AbortSignal,
  ): Promise<SentryEvent> {
    const base = await this.regionBase(org, signal);
    const fetchOne = async (eventId: string) => {
      const res = await (await sentryApi()).retrieveAnIssueEvent({
        ...this.typed(base, signal),
        // The generated type says number, but org-scoped issue routes accept short IDs too.
        path: {
          organization_id_or_slug: org,
          issue_id: issueId as unknown as number,
          event_id: eventId as "latest",
        },
      });
      return normalizeEvent(res.data);
    };
    try {
      return await fetchOne(which);
    } catch (error) {
      const fallback =
        which === "recommended" && (error instanceof NotFoundError || (error as AppError).status === 400);
      if (fallback) {
        this.logger.info("recommended event unavailable, using latest", { issueId });
        try {
          return await fetchOne("latest");
        } catch (inner) {
          if (!(inner instanceof NotFoundError)) throw inner;
        }
      }
      if (error instanceof NotFoundError || fallback) {
        throw new NotFoundError(`issue ${issueId} has no event "${which}" in Sentry`, {
          service: "Sentry",
          hint: 'Use event "latest" or "recommended", or an event ID taken from this issue.',
        });
      }
      throw error;
    }
  }

  /**
   * Top values for a set of tag keys. Tries the issue's tag list in one call; if this Sentry does not serve
   * it, asks per key in parallel. Keys the issue does not have are skipped.
   */
  async getIssueTags(
    org: string,
    issueId: string,
    keys: string[],
    signal?: AbortSignal,
  ): Promise<TagDistribution[]> {
    const base = await this.regionBase(org, signal);
    try {
      const res = await this.getJson(
        org,
        `/organizations/${enc(org)}/issues/${enc(issueId)}/tags/`,
        { key: keys },
        signal,
      );
      const all = arr(res.body)
        .map(normalizeTagDistribution)
        .filter((t): t is TagDistribution => t !== null);
      const wanted = all.filter((t) => keys.includes(t.key));
      return wanted.length > 0 ? wanted : all;
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
    const { retrieveTagDetails } = await sentryApi();
    const results = await Promise.allSettled(
      keys.map((key) =>
        retrieveTagDetails({
          ...this.typed(base, signal),
          path: { organization_id_or_slug: org, issue_id: issueId as unknown as number, key },
        }),
      ),
    );
    return results
      .map((r) => (r.status === "fulfilled" ? normalizeTagDistribution(r.value.data) : null))
      .filter((t): t is TagDistribution => t !== null);
  }

  /** One page of the organisation's issue search (`query` in Sentry search syntax). */
  async listIssues(
    org: string,
    q: {
      query: string;
      projectIds?: number[];
      sort?: "date" | "freq" | "new" | "user";
      limit?: number;
      statsPeriod?: string;
      environment?: string[];
      cursor?: string;
    },
    signal?: AbortSignal,
  ): Promise<{ issues: Issue[]; nextCursor: string | null; hits: number | null }> {
    const base = await this.regionBase(org, signal);
    const res = await (await sentryApi()).listAnOrganization_sIssues({
      ...this.typed(base, signal),
      path: { organization_id_or_slug: org },
      query: {
        query: q.query,
        project: q.projectIds && q.projectIds.length > 0 ? q.projectIds : undefined,
        sort: q.sort,
        limit: q.limit,
        statsPeriod: q.statsPeriod,
        environment: q.environment,
        cursor: q.cursor,
        shortIdLookup: "1",
      },
    });
    const hits = Number(res.response.headers.get("x-hits"));
    return {
      issues: arr(res.data).map(normalizeIssue),
      nextCursor: parseLinkHeader(res.response.headers.get("link")).next,
      hits: Number.isFinite(hits) && res.response.headers.get("x-hits") !== null ? hits : null,
    };
  }

  /** A JSON GET on an organisation's region host. `path` starts after `/api/0`. */
  async getJson(
    org: string | null,
    path: string,
    query: Query = {},
    signal?: AbortSignal,
  ): Promise<JsonResponse> {
    this.requireToken();
    const base = org ? await this.regionBase(org, signal) : this.config.baseUrl;
    const res = await this.http.request(`${base}/api/0${path}${queryString(query)}`, { signal });
    return { body: res.body, headers: res.headers, next: parseLinkHeader(res.headers.link).next };
  }

  /** A JSON POST on an organisation's region host (comments on issues). Not retried: it may have succeeded. */
  async postJson(org: string, path: string, body: unknown, signal?: AbortSignal): Promise<unknown> {
    this.requireToken();
    const base = await this.regionBase(org, signal);
    const res = await this.http.request(`${base}/api/0${path}`, { method: "POST", body, signal });
    return res.body;
  }

  private typed(baseUrl: string, signal?: AbortSignal) {
    this.requireToken();
    return { baseUrl, fetch: this.http.fetch, throwOnError: true as const, signal };
  }

  private requireToken(): void {
    if (!this.config.token) {
      throw configError(
        "SENTRY_ACCESS_TOKEN is not set, so this server cannot read Sentry.",
        "Create a User Auth Token (or Org Auth Token) with event:read, org:read and project:read in Sentry's settings and set SENTRY_ACCESS_TOKEN in this server's environment.",
      );
    }
  }

  private async soleOrganization(signal?: AbortSignal): Promise<string> {
    const orgs = await this.listOrganizations(signal);
    if (orgs.length === 1) return orgs[0]!.slug;
    if (orgs.length === 0) {
      throw configError(
        "the Sentry token sees no organizations.",
        "Check SENTRY_ACCESS_TOKEN and its org:read scope.",
      );
    }
    throw inputError(
      `this token sees ${orgs.length} organizations (${orgs
        .slice(0, 8)
        .map((o) => o.slug)
        .join(", ")}), and no default is set.`,
      "Pass a full issue URL (it names the organization), or have the operator set SENTRY_ORG.",
    );
  }

  /** Region discovery, cached per organisation. */
  private regionBase(org: string, signal?: AbortSignal): Promise<string> {
    this.requireToken();
    let cached = this.regionCache.get(org);
    if (!cached) {
      cached = this.discoverRegion(org, signal).catch((error) => {
        this.regionCache.delete(org);
        throw error;
      });
      this.regionCache.set(org, cached);
    }
    return cached;
  }

  private async discoverRegion(org: string, signal?: AbortSignal): Promise<string> {
    const base = this.config.baseUrl;
    let regions: string[];
    try {
      const res = await this.http.request(`${base}/api/0/users/me/regions/`, { signal });
      regions = arr(obj(res.body).regions)
        .map((r) => text(obj(r).url))
        .filter((u): u is string => u !== null);
    } catch (error) {
      // Self-hosted Sentry without regions: one host serves everything.
      if (error instanceof NotFoundError || (error as AppError).status === 403) return base;
      throw error;
    }
    if (regions.length === 0) return base;
    let regionUrl: string | null = null;
    try {
      const res = await this.http.request(`${base}/api/0/organizations/${enc(org)}/`, { signal });
      regionUrl = normalizeOrganization(res.body)?.regionUrl ?? null;
    } catch (error) {
      if (error instanceof NotFoundError) {
        throw new NotFoundError(`organization "${org}" was not found, or this token cannot see it.`, {
          service: "Sentry",
          hint: "Check SENTRY_ORG (the organization slug) or the organization in the URL you passed.",
        });
      }
      throw error;
    }
    const chosen = regionUrl ?? (regions.length === 1 ? regions[0]! : null);
    if (!chosen) return base;
    const safe = this.safeRegion(chosen);
    this.logger.debug("sentry region", { org, region: safe });
    return safe;
  }

  /** A region URL comes from Sentry; accept it only on the configured host or its subdomains. */
  private safeRegion(regionUrl: string): string {
    const base = new URL(this.config.baseUrl);
    let url: URL;
    try {
      url = new URL(regionUrl);
    } catch {
      return this.config.baseUrl;
    }
    const host = url.hostname.toLowerCase();
    const baseHost = base.hostname.toLowerCase();
    const sameFamily = host === baseHost || host.endsWith(`.${baseHost}`);
    // Same scheme and port as the configured host: a region on another port is another server.
    const sameOrigin = url.protocol === base.protocol && url.port === base.port;
    if (!sameFamily || !sameOrigin) {
      this.logger.warn("ignoring a region URL outside the configured Sentry host", { regionUrl });
      return this.config.baseUrl;
    }
    return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "").replace(/\/api\/0$/, "")}`;
  }
}
