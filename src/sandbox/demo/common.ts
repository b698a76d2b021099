import { DAY, HOUR, MIN } from "../payloads.ts";
import type { Json } from "../scenario.ts";

export {
  breadcrumb,
  chainEvents,
  DAY,
  eventTags,
  exceptionEntry,
  exceptionValue,
  HOUR,
  MIN,
  requestEntry,
  SEC,
  secs,
  stacktrace,
} from "../payloads.ts";

/** Small builders for the demo dataset. Everything is relative to `now` and free of randomness. */

export const isoAt = (ms: number): string => new Date(ms).toISOString();
const isoAgo = (now: number, minutes: number): string => isoAt(now - minutes * MIN);

/** `[[lineNo, code], …]` with `lines[at]` on `lineNo`, the way the API merges pre/post context. */
export function source(lineNo: number, lines: string[], at: number): Array<[number, string]> {
  return lines.map((code, i) => [lineNo - at + i, code]);
}

interface FrameSpec {
  filename: string;
  absPath: string;
  module?: string | null;
  fn: string | null;
  lineNo: number | null;
  colNo?: number | null;
  inApp: boolean;
  context?: Array<[number, string]>;
  vars?: Json | null;
  package?: string | null;
  platform?: string | null;
}

export function frame(s: FrameSpec): Json {
  return {
    filename: s.filename,
    absPath: s.absPath,
    module: s.module ?? null,
    package: s.package ?? null,
    platform: s.platform ?? null,
    instructionAddr: null,
    symbolAddr: null,
    function: s.fn,
    rawFunction: null,
    symbol: null,
    context: s.context ?? [],
    lineNo: s.lineNo,
    colNo: s.colNo ?? null,
    inApp: s.inApp,
    trust: null,
    errors: null,
    lock: null,
    sourceLink: null,
    vars: s.vars ?? null,
  };
}

/** A `_meta` remark for a value Sentry's own scrubbing replaced with "[Filtered]". */
export function filteredRemark(originalLength: number): Json {
  return {
    "": {
      rem: [["@password:filter", "s", 0, 10]],
      len: originalLength,
      chunks: [{ type: "redaction", text: "[Filtered]", rule_id: "@password:filter", remark: "s" }],
    },
  };
}

const TAG_NAMES: Record<string, string> = {
  environment: "Environment",
  release: "Release",
  transaction: "Transaction",
  url: "URL",
  server_name: "Server",
  handled: "Handled",
  level: "Level",
  "runtime.name": "Runtime.Name",
  browser: "Browser",
  "browser.name": "Browser.Name",
  "os.name": "Os.Name",
  mechanism: "Mechanism",
};

const tagName = (key: string): string => TAG_NAMES[key] ?? key;

/** `[value, count, firstSeen minutes ago, lastSeen minutes ago]` */
type TagRow = [value: string, count: number, firstSeenMin: number, lastSeenMin: number];

export function tagDistribution(now: number, key: string, rows: TagRow[]): Json {
  return {
    key,
    name: tagName(key),
    totalValues: rows.reduce((sum, r) => sum + r[1], 0),
    topValues: rows.map(([value, count, first, last]) => ({
      key,
      name: value,
      value,
      count,
      lastSeen: isoAgo(now, last),
      firstSeen: isoAgo(now, first),
    })),
  };
}

/** The issue's `tags` summary: `[{key, name, totalValues}]` from the full distributions. */
export const issueTagSummary = (dists: Json[]): Json[] =>
  dists.map((d) => ({ key: d.key, name: d.name, totalValues: d.totalValues }));

/**
 * `stats` buckets: 24 hourly and 30 daily `[epochSeconds, count]` pairs, zero before `firstSeenMs`.
 * The wave is deterministic (sin of the bucket index) so the chart looks organic but never changes.
 */
export function issueStats(now: number, firstSeenMs: number, perHour: number): Json {
  const hourStart = Math.floor(now / HOUR) * HOUR;
  const dayStart = Math.floor(now / DAY) * DAY;
  const wave = (i: number) => 1 + 0.6 * Math.sin(i * 0.9) + 0.3 * Math.cos(i * 2.3);
  const hourly = Array.from({ length: 24 }, (_, i) => {
    const t = hourStart - (23 - i) * HOUR;
    return [t / 1000, t + HOUR < firstSeenMs ? 0 : Math.max(0, Math.round(perHour * wave(i)))];
  });
  const daily = Array.from({ length: 30 }, (_, i) => {
    const t = dayStart - (29 - i) * DAY;
    return [t / 1000, t + DAY < firstSeenMs ? 0 : Math.max(0, Math.round(perHour * 24 * wave(i + 7)))];
  });
  return { "24h": hourly, "30d": daily };
}

const GROUPING_CONFIG: Json = {
  enhancements: "KLUv_SAYwQAAkwKRs25ld3N0eWxlOjIwMjMtMDEtMTGQ",
  id: "newstyle:2023-01-11",
};

/** The top-level event fields every demo event shares; callers override what differs. */
export function baseEvent(e: {
  id: string;
  groupID: string | null;
  projectID: string;
  type: string;
  platform: string;
  title: string;
  culprit: string | null;
  location: string | null;
  dateMs: number;
}): Json {
  return {
    id: e.id,
    eventID: e.id,
    groupID: e.groupID,
    projectID: e.projectID,
    size: 0,
    entries: [],
    dist: null,
    message: "",
    title: e.title,
    location: e.location,
    user: null,
    contexts: {},
    sdk: null,
    context: {},
    packages: {},
    type: e.type,
    metadata: {},
    tags: [],
    platform: e.platform,
    dateReceived: isoAt(e.dateMs + 287),
    errors: [],
    occurrence: null,
    _meta: {
      entries: {},
      message: null,
      user: null,
      contexts: null,
      sdk: null,
      context: null,
      packages: null,
      tags: {},
    },
    crashFile: null,
    culprit: e.culprit,
    dateCreated: isoAt(e.dateMs),
    fingerprints: [],
    groupingConfig: GROUPING_CONFIG,
    release: null,
    userReport: null,
    sdkUpdates: [],
    resolvedWith: [],
    nextEventID: null,
    previousEventID: null,
  };
}
