import type { Json } from "../scenario.ts";
import { isoAt, issueStats, issueTagSummary } from "./common.ts";
import { type ProjectSlug, projectRef } from "./org.ts";

/** The issue-details JSON (`/organizations/{org}/issues/{id}/`) with Sentry's quirks: string count, numeric userCount. */

interface IssueSpec {
  id: string;
  shortId: string;
  title: string;
  culprit: string | null;
  level: string;
  substatus: string | null;
  platform: string;
  project: ProjectSlug;
  type: string;
  issueType: string;
  issueCategory: string;
  metadata: Json;
  priority: "low" | "medium" | "high" | null;
  isUnhandled: boolean;
  count: number;
  userCount: number;
  firstSeenMs: number;
  lastSeenMs: number;
  firstRelease: Json | null;
  lastRelease: Json | null;
  fixability: number | null;
  perHour: number;
  tagDistributions: Json[];
  activity: Json[];
  now: number;
}

export function activity(
  id: string,
  type: string,
  ms: number,
  data: Json = {},
  user: Json | null = null,
): Json {
  return { id, user, type, data, dateCreated: isoAt(ms) };
}

export function issueDetails(s: IssueSpec): Json {
  return {
    id: s.id,
    shareId: null,
    shortId: s.shortId,
    title: s.title,
    culprit: s.culprit,
    permalink: `https://acme.sentry.io/issues/${s.id}/`,
    logger: null,
    level: s.level,
    status: "unresolved",
    statusDetails: {},
    substatus: s.substatus,
    isPublic: false,
    platform: s.platform,
    project: projectRef(s.project),
    type: s.type,
    metadata: s.metadata,
    numComments: 0,
    assignedTo: null,
    isBookmarked: false,
    isSubscribed: false,
    subscriptionDetails: null,
    hasSeen: false,
    annotations: [],
    issueType: s.issueType,
    issueCategory: s.issueCategory,
    priority: s.priority,
    priorityLockedAt: null,
    seerFixabilityScore: s.fixability,
    seerAutofixLastTriggered: null,
    seerExplorerAutofixLastTriggered: null,
    isUnhandled: s.isUnhandled,
    count: String(s.count),
    userCount: s.userCount,
    firstSeen: isoAt(s.firstSeenMs),
    lastSeen: isoAt(s.lastSeenMs),
    firstRelease: s.firstRelease,
    lastRelease: s.lastRelease,
    activity: s.activity,
    openPeriods: [
      {
        start: isoAt(s.firstSeenMs),
        end: null,
        duration: null,
        isOpen: true,
        lastChecked: isoAt(s.lastSeenMs),
      },
    ],
    seenBy: [],
    pluginActions: [],
    pluginIssues: [],
    pluginContexts: [],
    userReportCount: 0,
    participants: [],
    stats: issueStats(s.now, s.firstSeenMs, s.perHour),
    tags: issueTagSummary(s.tagDistributions),
  };
}
