import type { Json, SandboxIssue } from "./scenario.ts";
import type { Route, RouteRequest, RouteResult } from "./server.ts";
import { paginate } from "./store.ts";

/** Organisations, projects, issues, events and tags, in Sentry's shapes. */

const NOT_FOUND: RouteResult = { status: 404, body: { detail: "The requested resource does not exist" } };
const ok = (body: unknown, headers?: Record<string, string>): RouteResult => ({ status: 200, body, headers });

const DETAIL_ONLY = [
  "activity",
  "seenBy",
  "participants",
  "pluginActions",
  "pluginIssues",
  "pluginContexts",
  "openPeriods",
  "tags",
];

function withOrg(handler: (req: RouteRequest, issue?: SandboxIssue) => RouteResult, needsIssue = false) {
  return (req: RouteRequest): RouteResult => {
    if (!req.store.isOrg(req.params[0]!)) return NOT_FOUND;
    if (!needsIssue) return handler(req);
    const issue = req.store.issue(req.params[1]!);
    return issue ? handler(req, issue) : NOT_FOUND;
  };
}

function organization(req: RouteRequest): Json {
  const org = req.store.scenario.organization;
  return { ...org, links: { organizationUrl: req.base, regionUrl: req.regionUrl ?? "" } };
}

function issueRow(issue: SandboxIssue): Json {
  const row: Json = { ...issue.issue };
  for (const key of DETAIL_ONLY) delete row[key];
  return {
    ...row,
    lifetime: {
      count: row.count,
      userCount: row.userCount,
      firstSeen: row.firstSeen,
      lastSeen: row.lastSeen,
    },
    filtered: null,
    sessionCount: null,
  };
}

function listIssues(req: RouteRequest): RouteResult {
  const text = (req.query.get("query") ?? "")
    .split(/\s+/)
    .filter((t) => t && !t.includes(":"))
    .join(" ")
    .toLowerCase();
  const projects = req.query.getAll("project").filter((p) => p !== "-1");
  const statusTerm = /\bis:(unresolved|resolved|ignored)\b/.exec(req.query.get("query") ?? "")?.[1];
  let items = req.store.scenario.issues.filter((i) => {
    const g = i.issue;
    const project = g.project as Json;
    if (projects.length > 0 && !projects.includes(String(project.id))) return false;
    if (statusTerm && g.status !== statusTerm) return false;
    if (!text) return true;
    return [g.title, g.culprit, g.shortId].some(
      (v) => typeof v === "string" && v.toLowerCase().includes(text),
    );
  });
  const sort = req.query.get("sort") ?? "date";
  const key: Record<string, (g: Json) => number> = {
    date: (g) => Date.parse(String(g.lastSeen)),
    new: (g) => Date.parse(String(g.firstSeen)),
    freq: (g) => Number(g.count),
    user: (g) => Number(g.userCount),
  };
  const by = key[sort] ?? key.date!;
  items = [...items].sort((a, b) => by(b.issue) - by(a.issue));
  const page = paginate(
    items.map(issueRow),
    req.query,
    `${req.base}/api/0/organizations/${req.params[0]}/issues/`,
    25,
  );
  return ok(page.body, {
    ...page.headers,
    "x-hits": String(items.length),
    "x-max-hits": String(items.length),
  });
}

function eventSummary(event: Json): Json {
  return {
    id: event.id,
    "event.type": event.type,
    groupID: event.groupID,
    eventID: event.eventID,
    projectID: event.projectID,
    message: event.message,
    title: event.title,
    location: event.location,
    culprit: event.culprit,
    user: event.user,
    tags: event.tags,
    platform: event.platform,
    dateCreated: event.dateCreated,
    crashFile: null,
    metadata: event.metadata,
  };
}

function tagDetails(issue: SandboxIssue, key: string): Json | undefined {
  return (issue.tags ?? []).find((t) => t.key === key);
}

export const issueRoutes: Route[] = [
  [
    "POST",
    /^\/organizations\/([^/]+)\/issues\/([^/]+)\/comments\/$/,
    withOrg((req, issue) => {
      const text =
        typeof (req.body as { text?: unknown } | null)?.text === "string"
          ? (req.body as { text: string }).text
          : "";
      if (!text) return { status: 400, body: { text: ["This field is required."] } };
      req.store.comments.push({ issueId: String(issue!.issue.id), text });
      return {
        status: 201,
        body: {
          id: String(req.store.comments.length),
          data: { text },
          type: "note",
          dateCreated: new Date().toISOString(),
        },
      };
    }, true),
  ],
  ["GET", /^\/organizations\/$/, (req) => ok([organization(req)])],
  ["GET", /^\/organizations\/([^/]+)\/$/, withOrg((req) => ok(organization(req)))],
  [
    "GET",
    /^\/organizations\/([^/]+)\/projects\/$/,
    withOrg((req) => {
      const page = paginate(
        req.store.scenario.projects,
        req.query,
        `${req.base}/api/0/organizations/${req.params[0]}/projects/`,
      );
      return ok(page.body, page.headers);
    }),
  ],
  ["GET", /^\/organizations\/([^/]+)\/issues\/$/, withOrg(listIssues)],
  ["GET", /^\/organizations\/([^/]+)\/issues\/([^/]+)\/$/, withOrg((_req, issue) => ok(issue!.issue), true)],
  [
    "GET",
    /^\/organizations\/([^/]+)\/shortids\/([^/]+)\/$/,
    withOrg((req, issue) => {
      const g = issue!.issue;
      return ok({
        organizationSlug: req.store.scenario.organization.slug,
        projectSlug: (g.project as Json).slug,
        groupId: g.id,
        shortId: g.shortId,
        group: issueRow(issue!),
      });
    }, true),
  ],
  [
    "GET",
    /^\/organizations\/([^/]+)\/issues\/([^/]+)\/events\/$/,
    withOrg((req, issue) => {
      const events = [...issue!.events].reverse();
      const full = req.query.get("full") === "true" || req.query.get("full") === "1";
      const page = paginate(
        full ? events : events.map(eventSummary),
        req.query,
        `${req.base}/api/0/organizations/${req.params[0]}/issues/${req.params[1]}/events/`,
      );
      return ok(page.body, page.headers);
    }, true),
  ],
  [
    "GET",
    /^\/organizations\/([^/]+)\/issues\/([^/]+)\/events\/([^/]+)\/$/,
    withOrg((req, issue) => {
      const event = req.store.issueEvent(issue!, req.params[2]!);
      return event ? ok(event) : NOT_FOUND;
    }, true),
  ],
  [
    "GET",
    /^\/organizations\/([^/]+)\/issues\/([^/]+)\/tags\/$/,
    withOrg((req, issue) => {
      const keys = req.query.getAll("key");
      const tags = issue!.tags ?? [];
      return ok(keys.length > 0 ? tags.filter((t) => keys.includes(String(t.key))) : tags);
    }, true),
  ],
  [
    "GET",
    /^\/organizations\/([^/]+)\/issues\/([^/]+)\/tags\/([^/]+)\/$/,
    withOrg((req, issue) => {
      const tag = tagDetails(issue!, req.params[2]!);
      return tag ? ok(tag) : NOT_FOUND;
    }, true),
  ],
  [
    "GET",
    /^\/organizations\/([^/]+)\/issues\/([^/]+)\/tags\/([^/]+)\/values\/$/,
    withOrg((req, issue) => {
      const tag = tagDetails(issue!, req.params[2]!);
      if (!tag) return NOT_FOUND;
      const values = Array.isArray(tag.topValues) ? tag.topValues : [];
      const page = paginate(
        values,
        req.query,
        `${req.base}/api/0/organizations/${req.params[0]}/issues/${req.params[1]}/tags/${req.params[2]}/values/`,
      );
      return ok(page.body, page.headers);
    }, true),
  ],
  [
    "GET",
    /^\/organizations\/([^/]+)\/eventids\/([^/]+)\/$/,
    withOrg((req) => {
      const found = req.store.event(req.params[1]!);
      if (!found) return NOT_FOUND;
      return ok({
        organizationSlug: req.store.scenario.organization.slug,
        projectSlug: (found.issue.issue.project as Json).slug,
        groupId: found.issue.issue.id,
        eventId: found.event.eventID,
        event: found.event,
      });
    }),
  ],
  [
    "GET",
    /^\/projects\/([^/]+)\/([^/]+)\/events\/([^/]+)\/$/,
    (req) => {
      if (!req.store.isOrg(req.params[0]!) || !req.store.project(req.params[1]!)) return NOT_FOUND;
      const found = req.store.event(req.params[2]!);
      return found ? ok(found.event) : NOT_FOUND;
    },
  ],
  [
    "GET",
    /^\/issues\/(\d+)\/$/,
    (req) => {
      const issue = req.store.issue(req.params[0]!);
      return issue ? ok(issue.issue) : NOT_FOUND;
    },
  ],
];
