import type { Json } from "../scenario.ts";
import { DAY, isoAt } from "./common.ts";
import { DEMO, PROJECT_IDS } from "./ids.ts";

/** The Acme Shop organisation and its three projects, in the REST shapes (string ids). */

export type ProjectSlug = "storefront" | "orders-api" | "payments";

const PROJECTS: Record<ProjectSlug, { id: number; platform: string; platforms: string[]; release: string }> =
  {
    storefront: {
      id: PROJECT_IDS.storefront,
      platform: "javascript-react",
      platforms: ["javascript"],
      release: DEMO.storefrontRelease,
    },
    "orders-api": {
      id: PROJECT_IDS.ordersApi,
      platform: "node",
      platforms: ["node"],
      release: DEMO.ordersRelease,
    },
    payments: {
      id: PROJECT_IDS.payments,
      platform: "python",
      platforms: ["python"],
      release: DEMO.paymentsRelease,
    },
  };

export const projectId = (slug: ProjectSlug): number => PROJECTS[slug].id;

/** The `project` stub issues carry. */
export function projectRef(slug: ProjectSlug): Json {
  const p = PROJECTS[slug];
  return { id: String(p.id), name: slug, slug, platform: p.platform };
}

/** The `projects[]` entry of a release. */
export function releaseProject(slug: ProjectSlug, newGroups: number): Json {
  const p = PROJECTS[slug];
  return {
    id: p.id,
    slug,
    name: slug,
    newGroups,
    platform: p.platform,
    platforms: p.platforms,
    hasHealthData: false,
  };
}

export function organization(now: number): Json {
  return {
    id: DEMO.orgId,
    slug: DEMO.org,
    name: "Acme Shop",
    links: { organizationUrl: "", regionUrl: "" },
    status: { id: "active", name: "active" },
    features: [],
    dateCreated: isoAt(now - 410 * DAY),
    require2FA: false,
    isEarlyAdopter: false,
    avatar: { avatarType: "letter_avatar", avatarUuid: null, avatarUrl: null },
  };
}

const TEAM = { id: "3001", slug: "checkout", name: "checkout" };

export function projects(now: number): Json[] {
  return (Object.keys(PROJECTS) as ProjectSlug[]).map((slug, i) => {
    const p = PROJECTS[slug];
    return {
      id: String(p.id),
      slug,
      name: slug,
      platform: p.platform,
      platforms: p.platforms,
      dateCreated: isoAt(now - (400 - i * 20) * DAY),
      isBookmarked: false,
      isMember: true,
      hasAccess: true,
      features: [],
      firstEvent: isoAt(now - (398 - i * 20) * DAY),
      firstTransactionEvent: true,
      hasSessions: false,
      hasProfiles: slug === "orders-api",
      hasReplays: false,
      hasLogs: true,
      hasMonitors: false,
      hasUserReports: false,
      hasFeedbacks: false,
      hasMinifiedStackTrace: slug === "storefront",
      environments: ["production", "staging"],
      latestRelease: { version: p.release },
      team: TEAM,
      teams: [TEAM],
      status: "active",
    };
  });
}
