import { arr, int, isObj, isoTime, type Json, num, obj, pick, str, text } from "./lenient.ts";
import type { Issue, Organization, ReleaseRef, TagDistribution } from "./types.ts";

/** Normalizes an issue ("group") from issue details, issue lists, shortid lookups or webhook payloads. */
export function normalizeIssue(input: unknown): Issue {
  const g = obj(input);
  const project = obj(g.project);
  const metadata = obj(g.metadata);
  return {
    id: str(pick(g, "id", "groupId", "group_id")) ?? "",
    shortId: text(pick(g, "shortId", "short_id")),
    title: text(g.title) ?? text(metadata.title) ?? text(metadata.value) ?? "(untitled issue)",
    culprit: text(g.culprit),
    permalink: text(pick(g, "permalink", "web_url")),
    level: text(g.level) ?? "unknown",
    status: text(g.status) ?? "unknown",
    substatus: text(g.substatus),
    platform: text(g.platform),
    project: {
      id: str(project.id),
      slug: text(pick(project, "slug", "name")) ?? text(g.project) ?? "unknown",
      name: text(project.name),
      platform: text(project.platform),
    },
    type: text(g.type) ?? "default",
    issueType: text(pick(g, "issueType", "issue_type")),
    issueCategory: text(pick(g, "issueCategory", "issue_category")),
    metadata,
    count: int(pick(g, "count", "times_seen")),
    userCount: int(pick(g, "userCount", "user_count")),
    firstSeen: isoTime(pick(g, "firstSeen", "first_seen")),
    lastSeen: isoTime(pick(g, "lastSeen", "last_seen")),
    firstRelease: normalizeRelease(g.firstRelease),
    lastRelease: normalizeRelease(g.lastRelease),
    isUnhandled: typeof g.isUnhandled === "boolean" ? g.isUnhandled : null,
    priority: text(g.priority),
    assignedTo: assignee(g.assignedTo),
    fixabilityScore: num(pick(g, "seerFixabilityScore", "seer_fixability_score")),
    tagKeys: arr(g.tags)
      .filter(isObj)
      .map((t) => ({ key: str(t.key) ?? "", totalValues: int(t.totalValues) }))
      .filter((t) => t.key !== ""),
  };
}

function assignee(value: unknown): string | null {
  if (!isObj(value)) return text(value);
  const name = text(value.name) ?? text(value.email) ?? str(value.id);
  if (!name) return null;
  return value.type === "team" ? `team ${name}` : name;
}

/** A release from a full release object, a `{version}` stub, or a bare version string. */
export function normalizeRelease(value: unknown): ReleaseRef | null {
  if (typeof value === "string") {
    return value.trim() === ""
      ? null
      : {
          version: value,
          shortVersion: null,
          dateCreated: null,
          dateReleased: null,
          commitCount: null,
          lastCommit: null,
          ref: null,
          url: null,
        };
  }
  if (!isObj(value)) return null;
  const version = text(value.version);
  if (!version) return null;
  const lastCommit = isObj(value.lastCommit) ? value.lastCommit : null;
  return {
    version,
    shortVersion: text(value.shortVersion),
    dateCreated: isoTime(value.dateCreated),
    dateReleased: isoTime(value.dateReleased),
    commitCount: int(value.commitCount),
    lastCommit:
      lastCommit && text(lastCommit.id)
        ? { id: str(lastCommit.id)!, message: text(lastCommit.message) }
        : null,
    ref: text(value.ref),
    url: text(value.url),
  };
}

export function normalizeTagDistribution(input: unknown): TagDistribution | null {
  const t = obj(input);
  const key = text(t.key);
  if (!key) return null;
  return {
    key,
    name: text(t.name) ?? key,
    totalValues: int(t.totalValues),
    uniqueValues: int(t.uniqueValues),
    topValues: arr(t.topValues)
      .filter(isObj)
      .map((v: Json) => ({
        value: str(v.value) ?? str(v.name) ?? "",
        count: int(v.count),
        lastSeen: isoTime(v.lastSeen),
        firstSeen: isoTime(v.firstSeen),
      }))
      .filter((v) => v.value !== ""),
  };
}

export function normalizeOrganization(input: unknown): Organization | null {
  const o = obj(input);
  const slug = text(o.slug);
  if (!slug) return null;
  return {
    id: str(o.id),
    slug,
    name: text(o.name),
    regionUrl: text(obj(o.links).regionUrl),
  };
}
