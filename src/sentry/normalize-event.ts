import { arr, bool, int, isObj, isoTime, type Json, num, obj, pairs, pick, str, text } from "./lenient.ts";
import { normalizeRelease } from "./normalize-issue.ts";
import type {
  Breadcrumb,
  ExceptionValue,
  Frame,
  HttpRequest,
  Mechanism,
  Occurrence,
  OpaqueEntry,
  ProcessingError,
  SentryEvent,
  SentryUser,
  SpanRecord,
  Stacktrace,
  Thread,
  TraceContext,
} from "./types.ts";

/**
 * Normalizes an event from the REST API (camelCase, `entries[]`) or from a webhook / raw payload (snake_case,
 * top-level `exception`, `breadcrumbs`, `request`, tags as pairs). Unknown entry types are kept opaque.
 */
export function normalizeEvent(input: unknown): SentryEvent {
  const e = obj(input);
  const event: SentryEvent = {
    id: str(pick(e, "eventID", "id", "event_id")) ?? "",
    groupId: str(pick(e, "groupID", "groupId", "issue_id", "group_id")),
    projectId: str(pick(e, "projectID", "projectId", "project_id", "project")),
    projectSlug: text(pick(e, "projectSlug", "project_slug")),
    type: text(e.type) ?? "default",
    platform: text(e.platform),
    title: text(e.title),
    message: messageText(e),
    culprit: text(e.culprit),
    location: text(e.location),
    dateCreated: isoTime(pick(e, "dateCreated", "datetime", "timestamp")),
    dateReceived: isoTime(pick(e, "dateReceived", "received")),
    exceptions: [],
    stacktrace: null,
    threads: [],
    breadcrumbs: [],
    request: null,
    spans: [],
    csp: null,
    otherEntries: [],
    tags: pairs(e.tags),
    contexts: normalizeContexts(e.contexts),
    trace: null,
    profileId: null,
    profilerId: null,
    replayId: null,
    release: normalizeRelease(e.release),
    environment: null,
    dist: text(e.dist),
    user: normalizeUser(e.user),
    sdk: isObj(e.sdk) ? { name: text(e.sdk.name), version: text(e.sdk.version) } : null,
    errors: arr(e.errors).filter(isObj).map(normalizeProcessingError),
    occurrence: normalizeOccurrence(e.occurrence),
    fingerprints: arr(pick(e, "fingerprints", "fingerprint"))
      .map(str)
      .filter((s): s is string => s !== null),
    startTimestamp: num(pick(e, "startTimestamp", "start_timestamp")),
    endTimestamp: num(pick(e, "endTimestamp", "timestamp")),
    nextEventId: text(e.nextEventID),
    previousEventId: text(e.previousEventID),
  };
  if (event.type !== "transaction") event.endTimestamp = num(e.endTimestamp);

  for (const entry of arr(e.entries)) {
    if (!isObj(entry)) continue;
    applyEntry(event, text(entry.type) ?? "unknown", entry.data);
  }
  // Raw / webhook events carry the interfaces at the top level instead of in entries.
  if (event.exceptions.length === 0 && (isObj(e.exception) || Array.isArray(e.exception))) {
    applyEntry(event, "exception", e.exception);
  }
  if (event.breadcrumbs.length === 0 && e.breadcrumbs !== undefined)
    applyEntry(event, "breadcrumbs", e.breadcrumbs);
  if (!event.request && isObj(e.request)) applyEntry(event, "request", e.request);
  if (event.threads.length === 0 && e.threads !== undefined) applyEntry(event, "threads", e.threads);
  if (!event.stacktrace && isObj(e.stacktrace)) applyEntry(event, "stacktrace", e.stacktrace);
  if (event.spans.length === 0 && Array.isArray(e.spans)) applyEntry(event, "spans", e.spans);
  if (!event.csp && isObj(e.csp)) applyEntry(event, "csp", e.csp);

  const trace = obj(event.contexts.trace);
  if (Object.keys(trace).length > 0) event.trace = normalizeTraceContext(trace);
  const profile = obj(event.contexts.profile);
  event.profileId = text(pick(profile, "profile_id", "profileId"));
  event.profilerId = text(pick(profile, "profiler_id", "profilerId"));
  event.replayId = text(pick(obj(event.contexts.replay), "replay_id", "replayId"));
  event.environment = tagValue(event.tags, "environment") ?? text(e.environment);
  if (!event.release) {
    const version = tagValue(event.tags, "release");
    if (version) event.release = normalizeRelease(version);
  }
  return event;
}

function applyEntry(event: SentryEvent, type: string, data: unknown): void {
  switch (type) {
    case "exception":
      event.exceptions = exceptionValues(data).map(normalizeException);
      return;
    case "message":
      event.message = event.message ?? messageText(obj(data));
      return;
    case "stacktrace":
      event.stacktrace = normalizeStacktrace(data);
      return;
    case "threads":
      event.threads = valuesOf(data).filter(isObj).map(normalizeThread);
      return;
    case "breadcrumbs":
      event.breadcrumbs = valuesOf(data).filter(isObj).map(normalizeBreadcrumb);
      return;
    case "request":
      event.request = normalizeRequest(data);
      return;
    case "spans":
      event.spans = arr(data).filter(isObj).map(normalizeSpanRecord);
      return;
    case "csp":
      event.csp = obj(data);
      return;
    default:
      event.otherEntries.push({ type, data } satisfies OpaqueEntry);
  }
}

/** `values[]`, a bare array, or a single exception object (`value`). */
function exceptionValues(data: unknown): Json[] {
  if (Array.isArray(data)) return data.filter(isObj);
  const d = obj(data);
  if (Array.isArray(d.values)) return d.values.filter(isObj);
  if (isObj(d.value) && (d.value.type !== undefined || d.value.stacktrace !== undefined)) return [d.value];
  if (d.type !== undefined || d.stacktrace !== undefined) return [d];
  return [];
}

function valuesOf(data: unknown): unknown[] {
  if (Array.isArray(data)) return data;
  return arr(obj(data).values);
}

function normalizeException(v: Json): ExceptionValue {
  return {
    type: text(v.type),
    value: str(v.value),
    module: text(v.module),
    threadId: str(pick(v, "threadId", "thread_id")),
    mechanism: normalizeMechanism(v.mechanism),
    stacktrace: normalizeStacktrace(v.stacktrace),
    rawStacktrace: normalizeStacktrace(pick(v, "rawStacktrace", "raw_stacktrace")),
  };
}

function normalizeMechanism(value: unknown): Mechanism | null {
  if (!isObj(value)) return null;
  return {
    type: text(value.type),
    handled: bool(value.handled),
    synthetic: bool(value.synthetic) === true,
    exceptionId: int(pick(value, "exception_id", "exceptionId")),
    parentId: int(pick(value, "parent_id", "parentId")),
    isExceptionGroup: bool(pick(value, "is_exception_group", "isExceptionGroup")) === true,
    source: text(value.source),
  };
}

function normalizeStacktrace(value: unknown): Stacktrace | null {
  if (!isObj(value)) return null;
  const frames = arr(value.frames).filter(isObj).map(normalizeFrame);
  const omitted = arr(pick(value, "framesOmitted", "frames_omitted"));
  const a = int(omitted[0]);
  const b = int(omitted[1]);
  return { frames, framesOmitted: a !== null && b !== null ? [a, b] : null };
}

function normalizeFrame(f: Json): Frame {
  return {
    filename: text(f.filename),
    absPath: text(pick(f, "absPath", "abs_path")),
    module: text(f.module),
    package: text(f.package),
    platform: text(f.platform),
    function: text(f.function),
    rawFunction: text(pick(f, "rawFunction", "raw_function")),
    symbol: text(f.symbol),
    lineNo: int(pick(f, "lineNo", "lineno", "line")),
    colNo: int(pick(f, "colNo", "colno")),
    inApp: bool(pick(f, "inApp", "in_app")) === true,
    context: frameContext(f),
    vars: isObj(f.vars) ? f.vars : null,
    instructionAddr: text(pick(f, "instructionAddr", "instruction_addr")),
  };
}

/** API frames carry `context: [[line, code]]`; raw frames carry pre_context / context_line / post_context. */
function frameContext(f: Json): Array<[number, string]> {
  const out: Array<[number, string]> = [];
  for (const item of arr(f.context)) {
    if (!Array.isArray(item)) continue;
    const line = int(item[0]);
    const code = str(item[1]);
    if (line !== null && code !== null) out.push([line, code]);
  }
  if (out.length > 0) return out;
  const lineNo = int(pick(f, "lineNo", "lineno"));
  const contextLine = str(f.context_line);
  if (lineNo === null || contextLine === null) return out;
  const pre = arr(f.pre_context).map(str);
  const post = arr(f.post_context).map(str);
  pre.forEach((code, i) => {
    if (code !== null) out.push([lineNo - pre.length + i, code]);
  });
  out.push([lineNo, contextLine]);
  post.forEach((code, i) => {
    if (code !== null) out.push([lineNo + 1 + i, code]);
  });
  return out;
}

function normalizeThread(t: Json): Thread {
  return {
    id: str(t.id),
    name: text(t.name),
    crashed: bool(t.crashed) === true,
    current: bool(t.current) === true,
    state: text(t.state),
    stacktrace:
      normalizeStacktrace(t.stacktrace) ?? normalizeStacktrace(pick(t, "rawStacktrace", "raw_stacktrace")),
  };
}

function normalizeBreadcrumb(b: Json): Breadcrumb {
  return {
    timestamp: isoTime(b.timestamp),
    type: text(b.type),
    category: text(b.category),
    level: text(b.level),
    message: str(b.message),
    data: isObj(b.data) ? b.data : null,
  };
}

function normalizeRequest(data: unknown): HttpRequest | null {
  if (!isObj(data)) return null;
  const query = typeof data.query === "string" ? queryPairs(data.query) : pairs(data.query);
  const queryString = str(data.query_string);
  return {
    method: text(data.method),
    url: text(data.url),
    query: query.length > 0 ? query : queryString ? queryPairs(queryString) : [],
    headers: pairs(data.headers),
    cookies: typeof data.cookies === "string" ? cookiePairs(data.cookies) : pairs(data.cookies),
    data: data.data ?? null,
    env: isObj(data.env) ? data.env : null,
  };
}

function queryPairs(query: string): Array<[string, string]> {
  try {
    return [...new URLSearchParams(query.replace(/^\?/, "")).entries()];
  } catch {
    return [];
  }
}

function cookiePairs(cookies: string): Array<[string, string]> {
  return cookies
    .split(";")
    .map((c) => c.trim())
    .filter(Boolean)
    .map((c) => {
      const i = c.indexOf("=");
      return (i < 0 ? [c, ""] : [c.slice(0, i), c.slice(i + 1)]) as [string, string];
    });
}

function normalizeSpanRecord(s: Json): SpanRecord {
  return {
    spanId: text(pick(s, "span_id", "spanId")),
    traceId: text(pick(s, "trace_id", "traceId")),
    parentSpanId: text(pick(s, "parent_span_id", "parentSpanId")),
    op: text(s.op),
    description: str(s.description),
    status: text(s.status),
    startTimestamp: num(pick(s, "start_timestamp", "startTimestamp")),
    timestamp: num(pick(s, "timestamp", "end_timestamp")),
    data: isObj(s.data) ? s.data : null,
  };
}

function normalizeContexts(value: unknown): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [key, v] of Object.entries(obj(value))) {
    if (isObj(v)) out[key] = v;
  }
  return out;
}

function normalizeTraceContext(t: Json): TraceContext {
  return {
    traceId: text(pick(t, "trace_id", "traceId")),
    spanId: text(pick(t, "span_id", "spanId")),
    parentSpanId: text(pick(t, "parent_span_id", "parentSpanId")),
    op: text(t.op),
    status: text(t.status),
  };
}

function normalizeUser(value: unknown): SentryUser | null {
  if (!isObj(value)) return null;
  const geo = isObj(value.geo)
    ? {
        countryCode: text(pick(value.geo, "country_code", "countryCode")),
        region: text(value.geo.region),
        city: text(value.geo.city),
      }
    : null;
  return {
    id: str(value.id),
    username: text(value.username),
    email: text(value.email),
    ipAddress: text(pick(value, "ip_address", "ipAddress")),
    name: text(value.name),
    geo,
  };
}

function normalizeProcessingError(e: Json): ProcessingError {
  return { type: text(e.type) ?? "unknown", message: text(e.message), data: isObj(e.data) ? e.data : null };
}

function normalizeOccurrence(value: unknown): Occurrence | null {
  if (!isObj(value)) return null;
  return {
    id: text(value.id),
    type: int(value.type),
    issueTitle: text(pick(value, "issueTitle", "issue_title")),
    subtitle: text(value.subtitle),
    culprit: text(value.culprit),
    evidenceData: obj(pick(value, "evidenceData", "evidence_data")),
    evidenceDisplay: arr(pick(value, "evidenceDisplay", "evidence_display"))
      .filter(isObj)
      .map((d) => ({
        name: str(d.name) ?? "",
        value: str(d.value) ?? "",
        important: bool(d.important) === true,
      })),
  };
}

function messageText(e: Json): string | null {
  const m = e.message;
  if (typeof m === "string") return m.trim() === "" ? null : m;
  if (isObj(m)) return text(pick(m, "formatted", "message"));
  const logentry = obj(pick(e, "logentry", "sentry.interfaces.Message"));
  return text(pick(logentry, "formatted", "message"));
}

function tagValue(tags: Array<[string, string]>, key: string): string | null {
  return tags.find(([k]) => k === key)?.[1] ?? null;
}
