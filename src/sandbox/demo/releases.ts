import type { Json } from "../scenario.ts";
import { DAY, HOUR, isoAt, MIN } from "./common.ts";
import { DEMO } from "./ids.ts";
import { type ProjectSlug, releaseProject } from "./org.ts";
import { timeline } from "./times.ts";

/**
 * Releases, their commits and the suspect-commit (committers) payload. orders-api@2.14.0 shipped
 * "pricing: support stacked coupons", which is what broke applyCoupon (ORDERS-API-7A).
 */

const PRIYA = { name: "Priya Raman", email: "priya.raman@acme.shop" };
const TOM = { name: "Tom Becker", email: "tom.becker@acme.shop" };
const DEPENDABOT = { name: "dependabot[bot]", email: "49699333+dependabot[bot]@users.noreply.github.com" };
const LENA = { name: "Lena Ortiz", email: "lena.ortiz@acme.shop" };

function repository(now: number): Json {
  return {
    id: "41",
    name: "acme/orders-api",
    url: "https://github.com/acme/orders-api",
    provider: { id: "integrations:github", name: "GitHub" },
    status: "active",
    dateCreated: isoAt(now - 380 * DAY),
    integrationId: "118",
    externalSlug: "acme/orders-api",
    externalId: "704211938",
  };
}

function commit(now: number, id: string, message: string, ageMs: number, author: Json): Json {
  return {
    id,
    message,
    dateCreated: isoAt(now - ageMs),
    pullRequest: null,
    suspectCommitType: "",
    repository: repository(now),
    author,
  };
}

/** Newest first, as `/releases/{version}/commits/` lists them. */
function ordersCommits(now: number): Json[] {
  return [
    commit(
      now,
      DEMO.depsCommit,
      "deps: bump pg from 8.11.3 to 8.12.0 (#417)",
      6 * DAY + 5 * HOUR,
      DEPENDABOT,
    ),
    commit(
      now,
      DEMO.logsCommit,
      "orders: include X-Request-Id in structured logs (#415)",
      6 * DAY + 22 * HOUR,
      TOM,
    ),
    commit(
      now,
      DEMO.suspectCommit,
      "pricing: support stacked coupons (#412)\n\nResolve each coupon of a stacked order against the rules table and apply them in order.\nRules are now keyed by normalised coupon code.",
      7 * DAY + 3 * HOUR,
      PRIYA,
    ),
  ];
}

function hotfixCommits(now: number): Json[] {
  return [
    commit(
      now,
      "5c8e1a3f7b9d20e4c6a8f0b2d4e6a8c0e2f4b6d8",
      "orders: tolerate a cold pricing cache on boot (#421)",
      11 * HOUR,
      LENA,
    ),
  ];
}

interface ReleaseSpec {
  version: string;
  id: number;
  project: ProjectSlug;
  createdMs: number;
  environment: string;
  commits: Json[];
  newGroups: number;
  lastEventMs: number;
}

function specs(now: number): ReleaseSpec[] {
  const t = timeline(now);
  return [
    {
      version: DEMO.ordersRelease,
      id: 48213907,
      project: "orders-api",
      createdMs: t.ordersDeploy - 10 * MIN,
      environment: "production",
      commits: ordersCommits(now),
      newGroups: 2,
      lastEventMs: now - 1 * MIN - 310,
    },
    {
      version: DEMO.ordersHotfixRelease,
      id: 48290514,
      project: "orders-api",
      createdMs: now - 9 * HOUR - 40 * MIN,
      environment: "staging",
      commits: hotfixCommits(now),
      newGroups: 0,
      lastEventMs: now - 4 * MIN - 55_000,
    },
    {
      version: DEMO.storefrontRelease,
      id: 48107722,
      project: "storefront",
      createdMs: t.storefrontDeploy - 12 * MIN,
      environment: "production",
      commits: [],
      newGroups: 1,
      lastEventMs: now - 2 * MIN - 48_000,
    },
    {
      version: DEMO.paymentsRelease,
      id: 47988310,
      project: "payments",
      createdMs: t.paymentsDeploy - 8 * MIN,
      environment: "production",
      commits: [],
      newGroups: 1,
      lastEventMs: now - 6 * MIN - 12_000,
    },
  ];
}

function details(s: ReleaseSpec): Json {
  const [pkg, raw] = s.version.split("@") as [string, string];
  const deployedMs = s.createdMs + 10 * MIN;
  const last = s.commits[0] ?? null;
  const authors = new Map<string, Json>();
  for (const c of s.commits) {
    const a = c.author as Json;
    authors.set(String(a.email), a);
  }
  return {
    id: s.id,
    version: s.version,
    shortVersion: s.version,
    status: "open",
    versionInfo: { package: pkg, version: { raw }, description: raw, buildHash: null },
    ref: last ? String(last.id) : null,
    url: null,
    dateCreated: isoAt(s.createdMs),
    dateReleased: isoAt(deployedMs),
    data: {},
    newGroups: s.newGroups,
    owner: null,
    commitCount: s.commits.length,
    deployCount: 1,
    lastCommit: last,
    lastDeploy: {
      id: String(9_020_000 + (s.id % 10_000)),
      environment: s.environment,
      name: `${s.version} to ${s.environment}`,
      url: null,
      dateStarted: isoAt(deployedMs - 4 * MIN),
      dateFinished: isoAt(deployedMs),
    },
    authors: [...authors.values()],
    projects: [releaseProject(s.project, s.newGroups)],
    firstEvent: isoAt(deployedMs + 41_000),
    lastEvent: isoAt(s.lastEventMs),
    currentProjectMeta: {},
    userAgent: null,
  };
}

export function releases(now: number): Record<string, Json> {
  return Object.fromEntries(specs(now).map((s) => [s.version, details(s)]));
}

export function releaseCommits(now: number): Record<string, Json[]> {
  return Object.fromEntries(specs(now).map((s) => [s.version, s.commits]));
}

function releaseOf(now: number, version: string): Json {
  const found = releases(now)[version];
  if (!found) throw new Error(`demo release ${version} is not defined`);
  return found;
}

/** The release object embedded in an event (full, minus the list-only fields). */
export function eventRelease(now: number, version: string): Json {
  const {
    authors: _a,
    projects: _p,
    firstEvent: _f,
    lastEvent: _l,
    currentProjectMeta: _c,
    ...rest
  } = releaseOf(now, version);
  return rest;
}

/** `firstRelease` / `lastRelease` on an issue. */
export function releaseStub(now: number, version: string): Json {
  const r = releaseOf(now, version);
  return {
    version: r.version,
    shortVersion: r.shortVersion,
    ref: r.ref,
    url: r.url,
    dateReleased: r.dateReleased,
    dateCreated: r.dateCreated,
  };
}

/** `/events/{id}/committers/` for ORDERS-API-7A's recommended event: the stacked-coupons commit. */
export function committers(now: number): Record<string, Json> {
  const suspect = ordersCommits(now).find((c) => c.id === DEMO.suspectCommit)!;
  return {
    [DEMO.ordersEvent]: {
      committers: [
        {
          author: PRIYA,
          commits: [{ ...suspect, suspectCommitType: "via commit in release" }],
        },
      ],
    },
  };
}
