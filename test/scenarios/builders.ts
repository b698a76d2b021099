import { createHash } from "node:crypto";
import { DAY, eventTags, type LogLine, logRow, MIN, secs } from "../../src/sandbox/payloads.ts";
import type { Json } from "../../src/sandbox/scenario.ts";
import { event, exceptionEntry, frame, issue } from "../fixtures/kinds.ts";
import { CORPUS_NOW, type RepoSpec } from "./types.ts";

/**
 * Builders for the root-cause corpus. Everything is relative to CORPUS_NOW and free of randomness. Source
 * frames are cut from the very file text that the harness commits, so `lineNo` and `context` always match the
 * repository at the release the event came from.
 */

export {
  breadcrumb,
  chainEvents,
  DAY,
  eventTags,
  exceptionValue,
  HOUR,
  MIN,
  requestEntry,
  SEC,
  secs,
  stacktrace,
} from "../../src/sandbox/payloads.ts";
export { exceptionEntry, frame };

/** Epoch ms `ms` before CORPUS_NOW. */
export const ago = (ms: number): number => CORPUS_NOW - ms;
export const iso = (ms: number): string => new Date(ms).toISOString();
/** Commit dates for RepoCommit: `days` (fractional) before CORPUS_NOW. */
export const daysAgo = (days: number): string => iso(CORPUS_NOW - Math.round(days * DAY));

/** A stable hex ID derived from a seed (event, trace, span, profile IDs). */
export const hexId = (seed: string, len = 32): string =>
  createHash("sha256").update(seed).digest("hex").slice(0, len);

export const shaOf = (repo: string, commit: number): string => `{{sha:${repo}:${commit}}}`;
export const shortOf = (repo: string, commit: number): string => `{{short:${repo}:${commit}}}`;

// ---------------------------------------------------------------------------------------------------------
// Source text

/** A source file written as a template literal starting on the line after the backtick; ends with "\n". */
export function code(text: string): string {
  const body = text.startsWith("\n") ? text.slice(1) : text;
  return body.endsWith("\n") ? body : `${body}\n`;
}

/** `src` with the one occurrence of `from` replaced by `to` (a later version of a file); throws when absent. */
export function edit(src: string, from: string, to: string): string {
  const at = src.indexOf(from);
  if (at < 0 || src.indexOf(from, at + 1) >= 0) {
    throw new Error(`edit: expected exactly one occurrence of ${JSON.stringify(from.slice(0, 60))}`);
  }
  return src.slice(0, at) + to + src.slice(at + from.length);
}

function lines(src: string): string[] {
  const all = src.split("\n");
  if (all.at(-1) === "") all.pop();
  return all;
}

/** 1-based line number of the one line containing `needle`; throws when absent or ambiguous. */
export function lineOf(src: string, needle: string): number {
  const found: number[] = [];
  lines(src).forEach((line, i) => {
    if (line.includes(needle)) found.push(i + 1);
  });
  if (found.length !== 1) {
    throw new Error(`expected exactly one line containing ${JSON.stringify(needle)}, found ${found.length}`);
  }
  return found[0]!;
}

/** `[[lineNo, code], …]` around `lineNo`, clipped to the file, as the API merges pre/post context. */
export function contextAt(src: string, lineNo: number, radius = 5): Array<[number, string]> {
  const all = lines(src);
  const out: Array<[number, string]> = [];
  for (let n = Math.max(1, lineNo - radius); n <= Math.min(all.length, lineNo + radius); n++) {
    out.push([n, all[n - 1]!]);
  }
  return out;
}

export interface SourceFrameSpec {
  /** The file's text at the event's release. */
  src: string;
  /** A substring identifying the executing line (must be unique in the file). */
  at: string;
  fn: string | null;
  filename: string;
  absPath: string;
  module?: string | null;
  colNo?: number | null;
  platform?: string | null;
  vars?: Json | null;
  inApp?: boolean;
  radius?: number;
}

/** An in-app frame whose line and context come from the file text. */
export function sourceFrame(s: SourceFrameSpec): Json {
  const lineNo = lineOf(s.src, s.at);
  return frame({
    filename: s.filename,
    absPath: s.absPath,
    module: s.module ?? null,
    platform: s.platform ?? null,
    function: s.fn,
    lineNo,
    colNo: s.colNo ?? null,
    inApp: s.inApp ?? true,
    context: contextAt(s.src, lineNo, s.radius ?? 5),
    vars: s.vars ?? null,
  });
}

export interface LibraryFrameSpec {
  filename: string;
  absPath: string;
  fn: string | null;
  lineNo: number | null;
  colNo?: number | null;
  module?: string | null;
  package?: string | null;
  platform?: string | null;
  vars?: Json | null;
}

/** A frame in code the repositories do not hold (site-packages, node_modules, the JDK): no source context. */
export function libraryFrame(s: LibraryFrameSpec): Json {
  return frame({
    filename: s.filename,
    absPath: s.absPath,
    module: s.module ?? null,
    package: s.package ?? null,
    platform: s.platform ?? null,
    function: s.fn,
    lineNo: s.lineNo,
    colNo: s.colNo ?? null,
    inApp: false,
    vars: s.vars ?? null,
  });
}

// ---------------------------------------------------------------------------------------------------------
// Organisation and projects

export interface ProjectDef {
  id: number;
  slug: string;
  platform: string;
}

export function organization(): Json {
  return {
    id: "1",
    slug: "acme",
    name: "Acme",
    links: { organizationUrl: "https://acme.sentry.io", regionUrl: "https://us.sentry.io" },
    status: { id: "active", name: "active" },
    features: [],
    dateCreated: iso(ago(500 * DAY)),
    require2FA: false,
    isEarlyAdopter: false,
    avatar: { avatarType: "letter_avatar", avatarUuid: null, avatarUrl: null },
  };
}

export function projectJson(p: ProjectDef, latestRelease: string | null = null): Json {
  const team = { id: "7", slug: "platform", name: "platform" };
  return {
    id: String(p.id),
    slug: p.slug,
    name: p.slug,
    platform: p.platform,
    platforms: [p.platform.split("-")[0]],
    dateCreated: iso(ago(420 * DAY)),
    isBookmarked: false,
    isMember: true,
    hasAccess: true,
    features: [],
    firstEvent: iso(ago(418 * DAY)),
    firstTransactionEvent: true,
    hasSessions: false,
    hasProfiles: false,
    hasReplays: false,
    hasLogs: true,
    hasMonitors: false,
    hasUserReports: false,
    hasFeedbacks: false,
    hasMinifiedStackTrace: p.platform.startsWith("javascript"),
    environments: ["production", "staging"],
    latestRelease: latestRelease ? { version: latestRelease } : null,
    team,
    teams: [team],
    status: "active",
  };
}

export const projectRef = (p: ProjectDef): Json => ({
  id: String(p.id),
  name: p.slug,
  slug: p.slug,
  platform: p.platform,
});

// ---------------------------------------------------------------------------------------------------------
// Events and issues

/** `[value, count, firstSeen ms ago, lastSeen ms ago]` */
export type TagRow = [value: string, count: number, firstSeenAgo: number, lastSeenAgo: number];

export function tagDistribution(key: string, rows: TagRow[]): Json {
  return {
    key,
    name: key === "url" ? "URL" : key.charAt(0).toUpperCase() + key.slice(1),
    totalValues: rows.reduce((sum, r) => sum + r[1], 0),
    topValues: rows.map(([value, count, first, last]) => ({
      key,
      name: value,
      value,
      count,
      lastSeen: iso(ago(last)),
      firstSeen: iso(ago(first)),
    })),
  };
}

export const breadcrumbsEntry = (values: Json[]): Json => ({ type: "breadcrumbs", data: { values } });

export interface EventSpec {
  id: string;
  issueId: string;
  project: ProjectDef;
  type?: string;
  platform: string;
  title: string;
  message?: string;
  culprit: string | null;
  location: string | null;
  dateMs: number;
  entries: Json[];
  tags: Record<string, string>;
  contexts: Json;
  user?: Json | null;
  sdk: Json | null;
  release: Json | null;
  metadata: Json;
  extra?: Json;
}

export function errorEvent(s: EventSpec): Json {
  return event(s.id, s.issueId, {
    projectID: String(s.project.id),
    size: 2_000 + JSON.stringify(s.entries).length,
    entries: s.entries,
    message: s.message ?? "",
    title: s.title,
    location: s.location,
    culprit: s.culprit,
    user: s.user ?? null,
    contexts: s.contexts,
    sdk: s.sdk,
    context: s.extra ?? {},
    type: s.type ?? "error",
    metadata: s.metadata,
    tags: eventTags(s.tags),
    platform: s.platform,
    dateCreated: iso(s.dateMs),
    dateReceived: iso(s.dateMs + 312),
    fingerprints: [hexId(`fingerprint:${s.issueId}`)],
    release: s.release,
    sdkUpdates: [],
    resolvedWith: [],
    nextEventID: null,
    previousEventID: null,
  });
}

export interface IssueSpec {
  id: string;
  shortId: string;
  project: ProjectDef;
  title: string;
  culprit: string | null;
  platform: string;
  level?: string;
  type?: string;
  issueType?: string;
  issueCategory?: string;
  substatus?: string | null;
  metadata: Json;
  isUnhandled?: boolean;
  count: number;
  userCount: number;
  firstSeenMs: number;
  lastSeenMs: number;
  firstRelease?: Json | null;
  lastRelease?: Json | null;
  tagDistributions: Json[];
  priority?: string;
}

export function issueDetails(s: IssueSpec): Json {
  return issue(s.id, s.shortId, {
    title: s.title,
    culprit: s.culprit,
    level: s.level ?? "error",
    substatus: s.substatus ?? "new",
    platform: s.platform,
    project: projectRef(s.project),
    type: s.type ?? "error",
    issueType: s.issueType ?? "error",
    issueCategory: s.issueCategory ?? "error",
    metadata: s.metadata,
    priority: s.priority ?? "high",
    isUnhandled: s.isUnhandled ?? true,
    count: String(s.count),
    userCount: s.userCount,
    firstSeen: iso(s.firstSeenMs),
    lastSeen: iso(s.lastSeenMs),
    firstRelease: s.firstRelease ?? null,
    lastRelease: s.lastRelease ?? null,
    isSubscribed: false,
    subscriptionDetails: null,
    priorityLockedAt: null,
    seerAutofixLastTriggered: null,
    activity: [{ id: "0", user: null, type: "first_seen", data: {}, dateCreated: iso(s.firstSeenMs) }],
    openPeriods: [
      { start: iso(s.firstSeenMs), end: null, duration: null, isOpen: true, lastChecked: iso(s.lastSeenMs) },
    ],
    seenBy: [],
    participants: [],
    pluginActions: [],
    pluginIssues: [],
    pluginContexts: [],
    userReportCount: 0,
    tags: s.tagDistributions.map((d) => ({ key: d.key, name: d.name, totalValues: d.totalValues })),
  });
}

// ---------------------------------------------------------------------------------------------------------
// Releases, commits, committers

export function repositoryJson(name: string, id: string): Json {
  return {
    id,
    name,
    url: `https://github.com/${name}`,
    provider: { id: "integrations:github", name: "GitHub" },
    status: "active",
    dateCreated: iso(ago(400 * DAY)),
    integrationId: "118",
    externalSlug: name,
    externalId: String(700_000_000 + Number(id)),
  };
}

/** The Sentry commit object for commit `index` of `repo` (its SHA filled in by the harness). */
export function sentryCommit(repo: RepoSpec, index: number, repoId: string, suspectCommitType = ""): Json {
  const c = repo.commits[index];
  if (!c) throw new Error(`${repo.name} has no commit ${index}`);
  return {
    id: shaOf(repo.name, index),
    message: c.message,
    dateCreated: c.date,
    pullRequest: null,
    suspectCommitType,
    repository: repositoryJson(repo.name, repoId),
    author: { name: c.author, email: c.email },
  };
}

export interface ReleaseSpec {
  version: string;
  id: number;
  project: ProjectDef;
  repo: RepoSpec;
  repoId: string;
  /** Commit indexes the release contains, oldest first. The last one is the release's ref. */
  commits: number[];
  /** Set when Sentry was told the ref but no commit list (no `setCommits`). */
  refOnly?: number;
  createdMs: number;
  environment?: string;
  newGroups: number;
  lastEventMs: number;
}

export interface Release {
  version: string;
  details: Json;
  /** Newest first, as `/releases/{version}/commits/` lists them. */
  commits: Json[];
}

export function release(s: ReleaseSpec): Release {
  const commits = [...s.commits].reverse().map((i) => sentryCommit(s.repo, i, s.repoId));
  const refIndex = s.commits.at(-1) ?? s.refOnly;
  const last = commits[0] ?? null;
  const deployedMs = s.createdMs + 9 * MIN;
  const [pkg, raw] = s.version.includes("@") ? (s.version.split("@") as [string, string]) : ["", s.version];
  const authors = new Map<string, Json>();
  for (const c of commits) {
    const a = c.author as Json;
    authors.set(String(a.email), a);
  }
  const env = s.environment ?? "production";
  return {
    version: s.version,
    commits,
    details: {
      id: s.id,
      version: s.version,
      shortVersion: s.version,
      status: "open",
      versionInfo: { package: pkg, version: { raw }, description: raw, buildHash: null },
      ref: refIndex === undefined ? null : shaOf(s.repo.name, refIndex),
      url: null,
      dateCreated: iso(s.createdMs),
      dateReleased: iso(deployedMs),
      data: {},
      newGroups: s.newGroups,
      owner: null,
      commitCount: commits.length,
      deployCount: 1,
      lastCommit: last,
      lastDeploy: {
        id: String(9_100_000 + (s.id % 10_000)),
        environment: env,
        name: `${s.version} to ${env}`,
        url: null,
        dateStarted: iso(deployedMs - 4 * MIN),
        dateFinished: iso(deployedMs),
      },
      authors: [...authors.values()],
      projects: [
        {
          id: s.project.id,
          slug: s.project.slug,
          name: s.project.slug,
          newGroups: s.newGroups,
          platform: s.project.platform,
          platforms: [s.project.platform.split("-")[0]],
          hasHealthData: false,
        },
      ],
      firstEvent: iso(deployedMs + 37_000),
      lastEvent: iso(s.lastEventMs),
      currentProjectMeta: {},
      userAgent: null,
    },
  };
}

/** The release object embedded in an event (the details minus list-only fields). */
export function eventRelease(r: Release): Json {
  const {
    authors: _a,
    projects: _p,
    firstEvent: _f,
    lastEvent: _l,
    currentProjectMeta: _c,
    ...rest
  } = r.details;
  return rest;
}

/** `firstRelease` / `lastRelease` on an issue. */
export function releaseStub(r: Release): Json {
  const d = r.details;
  return {
    version: d.version,
    shortVersion: d.shortVersion,
    ref: d.ref,
    url: d.url,
    dateReleased: d.dateReleased,
    dateCreated: d.dateCreated,
  };
}

export function releasesOf(rs: Release[]): {
  releases: Record<string, Json>;
  releaseCommits: Record<string, Json[]>;
} {
  return {
    releases: Object.fromEntries(rs.map((r) => [r.version, r.details])),
    releaseCommits: Object.fromEntries(
      rs.filter((r) => r.commits.length > 0).map((r) => [r.version, r.commits]),
    ),
  };
}

/** `/events/{id}/committers/` body: one suspect commit. */
export function committersPayload(commit: Json, suspectCommitType: string): Json {
  return {
    committers: [
      {
        author: commit.author,
        commits: [{ ...commit, suspectCommitType }],
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------------------
// Traces and logs

export interface IssueRefSpec {
  eventId: string;
  issueId: string;
  shortId: string;
  project: ProjectDef;
  title: string;
  culprit: string;
  transaction: string;
  ms: number;
  level?: string;
  occurrence?: { type: number; endMs: number };
}

export function issueRef(r: IssueRefSpec): Json {
  return {
    event_id: r.eventId,
    event_type: r.occurrence ? "occurrence" : "error",
    issue_id: Number(r.issueId),
    short_id: r.shortId,
    level: r.level ?? "error",
    culprit: r.culprit,
    description: r.title,
    project_id: r.project.id,
    project_slug: r.project.slug,
    transaction: r.transaction,
    start_timestamp: secs(r.ms),
    ...(r.occurrence ? { end_timestamp: secs(r.occurrence.endMs) } : {}),
    issue_type: r.occurrence ? r.occurrence.type : 1,
  };
}

export { type SpanNodeSpec, spanNode } from "../../src/sandbox/payloads.ts";

/** Current trace-meta, counted from the nodes. */
export function traceMeta(nodes: Json[], logsCount: number): Json {
  let spans = 0;
  let errors = 0;
  let perf = 0;
  const byOp: Record<string, number> = {};
  const byTx = new Map<string, number>();
  const walk = (n: Json) => {
    spans++;
    errors += (n.errors as Json[]).length;
    perf += (n.occurrences as Json[]).length;
    const op = String(n.op);
    byOp[op] = (byOp[op] ?? 0) + 1;
    const tx = String(n.transaction_id);
    byTx.set(tx, (byTx.get(tx) ?? 0) + 1);
    for (const c of n.children as Json[]) walk(c);
  };
  for (const n of nodes) walk(n);
  return {
    errorsCount: errors,
    logsCount,
    metricsCount: 0,
    performanceIssuesCount: perf,
    spansCount: spans,
    transactionChildCountMap: [...byTx.entries()].map(([id, n]) => ({
      "transaction.event_id": id,
      "count()": n,
    })),
    spansCountMap: byOp,
  };
}

export type LogSpec = LogLine;

/** Flat log rows as `/events/?dataset=logs` returns them, newest first. */
export function logRows(rows: LogSpec[]): Json[] {
  return [...rows]
    .sort((a, b) => b.ms - a.ms)
    .map((r) => logRow(r, hexId(`log:${r.trace}:${r.ms}:${r.message}`)));
}
