/**
 * The project's own normalized Sentry types. `src/sentry/normalize-*.ts` builds them from whatever Sentry
 * sent (API camelCase, webhook snake_case, old and new spellings); everything downstream reads only these.
 */

interface ProjectRef {
  id: string | null;
  slug: string;
  name: string | null;
  platform: string | null;
}

export interface ReleaseRef {
  version: string;
  shortVersion: string | null;
  dateCreated: string | null;
  dateReleased: string | null;
  commitCount: number | null;
  lastCommit: { id: string; message: string | null } | null;
  ref: string | null;
  url: string | null;
}

export interface Issue {
  id: string;
  shortId: string | null;
  title: string;
  culprit: string | null;
  permalink: string | null;
  level: string;
  status: string;
  substatus: string | null;
  platform: string | null;
  project: ProjectRef;
  /** Event type of the issue: error, default, csp, transaction, generic, feedback, … */
  type: string;
  issueType: string | null;
  issueCategory: string | null;
  metadata: Record<string, unknown>;
  count: number | null;
  userCount: number | null;
  firstSeen: string | null;
  lastSeen: string | null;
  firstRelease: ReleaseRef | null;
  lastRelease: ReleaseRef | null;
  isUnhandled: boolean | null;
  priority: string | null;
  assignedTo: string | null;
  /** Sentry's Seer fixability score, 0–1, when the issue carries one. */
  fixabilityScore: number | null;
  /** Tag keys with their number of values, from the issue details (not a distribution). */
  tagKeys: Array<{ key: string; totalValues: number | null }>;
}

export interface Frame {
  filename: string | null;
  absPath: string | null;
  module: string | null;
  package: string | null;
  platform: string | null;
  function: string | null;
  rawFunction: string | null;
  symbol: string | null;
  lineNo: number | null;
  colNo: number | null;
  inApp: boolean;
  /** Source lines around the frame: [lineNo, code]. */
  context: Array<[number, string]>;
  vars: Record<string, unknown> | null;
  instructionAddr: string | null;
}

export interface Stacktrace {
  /** Caller → callee: the last frame is where the error was thrown. */
  frames: Frame[];
  framesOmitted: [number, number] | null;
}

export interface Mechanism {
  type: string | null;
  handled: boolean | null;
  synthetic: boolean;
  exceptionId: number | null;
  parentId: number | null;
  isExceptionGroup: boolean;
  source: string | null;
}

export interface ExceptionValue {
  type: string | null;
  value: string | null;
  module: string | null;
  threadId: string | null;
  mechanism: Mechanism | null;
  stacktrace: Stacktrace | null;
  rawStacktrace: Stacktrace | null;
}

export interface Thread {
  id: string | null;
  name: string | null;
  crashed: boolean;
  current: boolean;
  state: string | null;
  stacktrace: Stacktrace | null;
}

export interface Breadcrumb {
  timestamp: string | null;
  type: string | null;
  category: string | null;
  level: string | null;
  message: string | null;
  data: Record<string, unknown> | null;
}

export interface HttpRequest {
  method: string | null;
  url: string | null;
  query: Array<[string, string]>;
  headers: Array<[string, string]>;
  cookies: Array<[string, string]>;
  data: unknown;
  env: Record<string, unknown> | null;
}

export interface SpanRecord {
  spanId: string | null;
  traceId: string | null;
  parentSpanId: string | null;
  op: string | null;
  description: string | null;
  status: string | null;
  startTimestamp: number | null;
  timestamp: number | null;
  data: Record<string, unknown> | null;
}

export interface TraceContext {
  traceId: string | null;
  spanId: string | null;
  parentSpanId: string | null;
  op: string | null;
  status: string | null;
}

export interface Occurrence {
  id: string | null;
  type: number | null;
  issueTitle: string | null;
  subtitle: string | null;
  culprit: string | null;
  evidenceData: Record<string, unknown>;
  evidenceDisplay: Array<{ name: string; value: string; important: boolean }>;
}

export interface ProcessingError {
  type: string;
  message: string | null;
  data: Record<string, unknown> | null;
}

export interface SentryUser {
  id: string | null;
  username: string | null;
  email: string | null;
  ipAddress: string | null;
  name: string | null;
  geo: { countryCode: string | null; region: string | null; city: string | null } | null;
}

export interface OpaqueEntry {
  type: string;
  data: unknown;
}

export interface SentryEvent {
  id: string;
  groupId: string | null;
  projectId: string | null;
  projectSlug: string | null;
  /** error, default, transaction, generic, csp, nel, … or a type this server has never seen. */
  type: string;
  platform: string | null;
  title: string | null;
  message: string | null;
  culprit: string | null;
  location: string | null;
  dateCreated: string | null;
  dateReceived: string | null;
  /** Oldest → newest: the last value is the exception that was finally raised. */
  exceptions: ExceptionValue[];
  /** A stacktrace attached to a message event (no exception). */
  stacktrace: Stacktrace | null;
  threads: Thread[];
  breadcrumbs: Breadcrumb[];
  request: HttpRequest | null;
  spans: SpanRecord[];
  csp: Record<string, unknown> | null;
  /** Entries of types this server does not interpret, kept as they came. */
  otherEntries: OpaqueEntry[];
  tags: Array<[string, string]>;
  contexts: Record<string, Record<string, unknown>>;
  trace: TraceContext | null;
  profileId: string | null;
  profilerId: string | null;
  replayId: string | null;
  release: ReleaseRef | null;
  environment: string | null;
  dist: string | null;
  user: SentryUser | null;
  sdk: { name: string | null; version: string | null } | null;
  errors: ProcessingError[];
  occurrence: Occurrence | null;
  fingerprints: string[];
  startTimestamp: number | null;
  endTimestamp: number | null;
  nextEventId: string | null;
  previousEventId: string | null;
}

export interface TagDistribution {
  key: string;
  name: string;
  /** Events carrying this tag (Sentry's `totalValues`). */
  totalValues: number | null;
  /** Distinct values, when Sentry reports them. */
  uniqueValues: number | null;
  topValues: Array<{
    value: string;
    count: number | null;
    lastSeen: string | null;
    firstSeen: string | null;
  }>;
}

export interface Organization {
  id: string | null;
  slug: string;
  name: string | null;
  regionUrl: string | null;
}
