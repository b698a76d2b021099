import {
  type ChainLink,
  type ExceptionChain,
  exceptionLabel,
  type FrameRef,
  frameLocation,
  inAppFramesNearestThrow,
} from "../analysis/exception-chain.ts";
import type { Breadcrumb, Frame, SentryEvent, Stacktrace, TagDistribution } from "../sentry/types.ts";
import { truncate } from "../text/clip.ts";
import { FILTERED, isSensitiveKey, scrubPairs, scrubText, scrubUrl } from "../text/scrub.ts";
import { cell, data, dataBlock, facts, field, lines } from "./markdown.ts";

/** Section renderers for one event. Each returns markdown or null when it has nothing to say. */

export function chainSection(chain: ExceptionChain): string | null {
  if (chain.links.length === 0) return null;
  if (chain.links.length === 1) {
    const only = chain.links[0]!;
    return lines("## Exception", `${data(exceptionLabel(only.exception), 400)}${mechanismNote(only)}`);
  }
  const title = chain.isGroup
    ? "## Exception group"
    : "## Exception chain (oldest → newest; the origin comes first)";
  // Numbered by position, so a relation can name the exception it points at.
  const number = new Map(chain.links.map((l, i) => [l.index, i + 1]));
  return lines(
    title,
    ...chain.links.map(
      (l, i) =>
        `${i + 1}. **${l.role}** ${data(exceptionLabel(l.exception), 300)}${mechanismNote(l)}${relationNote(l, number)}`,
    ),
  );
}

function relationNote(link: ChainLink, number: ReadonlyMap<number, number>): string {
  const to = link.parent !== null ? number.get(link.parent) : undefined;
  if (to === undefined) return "";
  switch (link.relation) {
    case "cause":
      return ` — the cause of ${to} (${to} was raised from it)`;
    case "context":
      return ` — the context of ${to} (${to} was raised while handling it)`;
    case "group_member":
      return ` — a member of group ${to}`;
    default:
      return ` — led to ${to}`;
  }
}

function mechanismNote(link: ChainLink): string {
  const m = link.exception.mechanism;
  if (!m) return "";
  const handled = m.handled === false ? "unhandled" : m.handled === true ? "handled" : null;
  const parts = [handled, m.type ? `mechanism ${m.type}` : null].filter(Boolean);
  return parts.length > 0 ? ` (${parts.join(", ")})` : "";
}

interface StackOptions {
  maxFrames: number;
  contextFrames: number;
  contextLines: number;
  inAppOnly: boolean;
}

/** In-app frames nearest the throw, the first few with source context; library frames are counted, not shown. */
export function stackSection(
  stack: Stacktrace | null,
  opts: StackOptions,
  heading = "## Stack",
  note: string | null = null,
): string | null {
  if (!stack || stack.frames.length === 0) return null;
  const total = stack.frames.length;
  const refs: FrameRef[] = opts.inAppOnly
    ? inAppFramesNearestThrow(stack, opts.maxFrames)
    : stack.frames
        .map((frame, index) => ({ frame, index, distanceFromThrow: total - 1 - index }))
        .reverse()
        .slice(0, opts.maxFrames);
  const throwFrame = stack.frames[total - 1]!;
  const out: string[] = [];
  const inAppTotal = stack.frames.filter((f) => f.inApp).length;
  const scope = opts.inAppOnly
    ? `in-app frames nearest the throw (${refs.length} of ${inAppTotal} in-app; ${total} frames in all)`
    : `frames, throw site first (${refs.length} of ${total})`;
  out.push(`${heading}: ${scope}`);
  if (note) out.push(note);
  if (refs.length === 0) {
    out.push(
      `No in-app frames: every frame is library or system code. The throw site is ${data(frameLabel(throwFrame))}; the cause may be in how the application called the library, or in the library itself.`,
    );
    return out.join("\n");
  }
  if (opts.inAppOnly && !throwFrame.inApp) {
    out.push(
      `Thrown inside library code at ${data(frameLabel(throwFrame))}; the nearest application frame is first below.`,
    );
  }
  refs.forEach((ref, i) => {
    const marker = ref.distanceFromThrow === 0 ? " ← throw site" : "";
    const inApp = ref.frame.inApp ? "" : " (library)";
    const head = `${i + 1}. ${data(frameLocation(ref.frame), 160)} in ${data(ref.frame.function ?? "<anonymous>", 120)}${inApp}${marker}`;
    out.push(i < opts.contextFrames ? `**${head}**` : head);
    if (i < opts.contextFrames) {
      const code = contextBlock(ref.frame, opts.contextLines);
      if (code) out.push(code);
    }
  });
  if (stack.framesOmitted)
    out.push(`(Sentry omitted frames ${stack.framesOmitted[0]}–${stack.framesOmitted[1]}.)`);
  return out.join("\n");
}

export function frameLabel(frame: Frame): string {
  return `${frameLocation(frame)} in ${frame.function ?? "<anonymous>"}`;
}

function contextBlock(frame: Frame, around: number): string | null {
  if (frame.context.length === 0 || frame.lineNo === null) return null;
  const rows = frame.context.filter(([n]) => Math.abs(n - frame.lineNo!) <= around);
  if (rows.length === 0) return null;
  const width = String(Math.max(...rows.map(([n]) => n))).length;
  const body = rows
    .map(
      ([n, code]) => `${n === frame.lineNo ? ">" : " "}${String(n).padStart(width)} | ${truncate(code, 200)}`,
    )
    .join("\n");
  return dataBlock(scrubText(body), languageOf(frame), 3000);
}

function languageOf(frame: Frame): string {
  const file = frame.filename ?? frame.absPath ?? "";
  const ext = /\.([a-z0-9]+)(?:\?|$)/i.exec(file)?.[1]?.toLowerCase();
  const map: Record<string, string> = {
    ts: "ts",
    tsx: "tsx",
    js: "js",
    jsx: "jsx",
    mjs: "js",
    cjs: "js",
    py: "python",
    rb: "ruby",
    go: "go",
    java: "java",
    kt: "kotlin",
    php: "php",
    cs: "csharp",
    rs: "rust",
    swift: "swift",
  };
  return (ext && map[ext]) || "text";
}

export function breadcrumbsSection(crumbs: Breadcrumb[], limit: number): string | null {
  if (crumbs.length === 0) return null;
  const shown = crumbs.slice(-limit);
  const header =
    shown.length < crumbs.length
      ? `## Breadcrumbs (last ${shown.length} of ${crumbs.length}, oldest first)`
      : `## Breadcrumbs (${crumbs.length}, oldest first)`;
  const rows = shown.map((b) => {
    const time = b.timestamp ? b.timestamp.slice(11, 23) : "—";
    return `| ${time} | ${cell(b.category ?? b.type, 30)} | ${b.level ?? "—"} | ${cell(scrubText(breadcrumbText(b)), 160)} |`;
  });
  return lines(header, "| time (UTC) | category | level | message |", "|---|---|---|---|", ...rows);
}

export function breadcrumbText(b: Breadcrumb): string {
  if (b.message) return b.message;
  const d = b.data ?? {};
  if (typeof d.url === "string") {
    const status = d.status_code ?? d.statusCode;
    return `${typeof d.method === "string" ? `${d.method} ` : ""}${scrubUrl(d.url)}${status !== undefined ? ` [${status}]` : ""}`;
  }
  if (typeof d.to === "string") return `${typeof d.from === "string" ? d.from : "?"} → ${d.to}`;
  const keys = Object.keys(d);
  return keys.length > 0 ? truncate(JSON.stringify(d), 160) : "";
}

export function requestSection(event: SentryEvent, full: boolean): string | null {
  const r = event.request;
  if (!r || (!r.url && !r.method)) return null;
  const out = [
    "## Request",
    `${r.method ?? "?"} ${data(r.url ? scrubUrl(r.url) : null, 300)}`,
    field(
      "Query",
      r.query.length > 0
        ? data(
            scrubPairs(r.query)
              .map(([k, v]) => `${k}=${v}`)
              .join("&"),
            300,
          )
        : null,
    ),
  ];
  const headers = scrubPairs(r.headers);
  if (full && headers.length > 0) {
    out.push("**Headers**:", ...headers.slice(0, 40).map(([k, v]) => `- ${data(k, 60)}: ${data(v, 200)}`));
  } else {
    const interesting = headers.filter(([k]) => /^(content-type|user-agent|referer|x-request-id)$/i.test(k));
    if (interesting.length > 0)
      out.push(field("Headers", interesting.map(([k, v]) => `${k}: ${data(v, 120)}`).join(", ")));
  }
  if (r.cookies.length > 0) out.push(field("Cookies", `${r.cookies.length} (values withheld)`));
  if (full && r.data !== null && r.data !== undefined && r.data !== "") {
    out.push("**Body**:", dataBlock(scrubText(redactBody(r.data)), "json", 2000));
  }
  return lines(...out);
}

function redactBody(body: unknown): string {
  if (typeof body === "string") return body;
  try {
    return JSON.stringify(
      body,
      (k, v) => (k && typeof v === "string" && isSensitiveKey(k) ? FILTERED : v),
      2,
    );
  } catch {
    return String(body);
  }
}

export function tagsSection(
  distributions: TagDistribution[],
  eventTags: Array<[string, string]>,
  full: boolean,
): string | null {
  if (distributions.length > 0) {
    const rows = distributions.map((t) => {
      const total = t.totalValues ?? t.topValues.reduce((sum, v) => sum + (v.count ?? 0), 0);
      const top = t.topValues.slice(0, full ? 10 : 3).map((v) => {
        const share = total > 0 && v.count !== null ? ` ${Math.round((100 * v.count) / total)}%` : "";
        return `${data(v.value, 60)}${share}`;
      });
      const more =
        t.uniqueValues !== null && t.uniqueValues > top.length ? ` (${t.uniqueValues} distinct)` : "";
      return `- **${t.key}**: ${top.join(", ")}${more}`;
    });
    return lines("## Tags (top values across the issue's events)", ...rows);
  }
  if (eventTags.length === 0) return null;
  const shown = full ? eventTags : eventTags.filter(([k]) => IMPORTANT_TAGS.has(k));
  if (shown.length === 0) return null;
  return lines("## Tags (this event)", shown.map(([k, v]) => `${k}=${data(v, 80)}`).join(", "));
}

const IMPORTANT_TAGS = new Set([
  "environment",
  "release",
  "transaction",
  "url",
  "browser",
  "browser.name",
  "os",
  "os.name",
  "runtime",
  "runtime.name",
  "device",
  "server_name",
  "handled",
  "mechanism",
  "level",
]);

export function processingErrorsSection(event: SentryEvent): string | null {
  if (event.errors.length === 0) return null;
  const sourceMap = event.errors.some((e) => /^js_|sourcemap|source_map/i.test(e.type));
  const rows = event.errors.slice(0, 8).map((e) => {
    const where = typeof e.data?.url === "string" ? ` (${data(scrubUrl(e.data.url), 120)})` : "";
    return `- \`${e.type}\`: ${e.message ?? ""}${where}`;
  });
  return lines(
    "## Processing problems",
    sourceMap
      ? "Source maps or source files were missing for this event, so frames may point at minified code and line numbers may not match the repository."
      : null,
    ...rows,
  );
}

export function contextsSection(event: SentryEvent): string | null {
  const parts: string[] = [];
  for (const key of ["runtime", "os", "browser", "device", "app"]) {
    const c = event.contexts[key];
    if (!c) continue;
    const name = typeof c.name === "string" ? c.name : typeof c.model === "string" ? c.model : null;
    const version = typeof c.version === "string" ? c.version : null;
    if (name) parts.push(`${key} ${data(version ? `${name} ${version}` : name, 60)}`);
  }
  return parts.length > 0 ? field("Runtime", parts.join(", ")) : null;
}

/** Occurrence evidence for performance, metric and other issue-platform kinds. */
export function occurrenceSection(event: SentryEvent, maxSpans: number): string | null {
  const occ = event.occurrence;
  if (!occ) return null;
  const out: string[] = ["## Evidence (issue detector)"];
  if (occ.issueTitle) out.push(field("Detector", data(occ.issueTitle, 160))!);
  if (occ.subtitle) out.push(field("Subtitle", data(occ.subtitle, 200))!);
  const display = [...occ.evidenceDisplay].sort((a, b) => Number(b.important) - Number(a.important));
  for (const d of display.slice(0, 8)) out.push(`- **${d.name}**: ${data(d.value, 300)}`);
  const ev = occ.evidenceData;
  const numbers = ["aggregateRange1", "aggregateRange2", "breakpoint", "trendPercentage", "transaction"]
    .filter((k) => ev[k] !== undefined && ev[k] !== null)
    .map((k) => `${k}=${data(String(ev[k]), 60)}`);
  if (numbers.length > 0) out.push(field("Regression data", numbers.join(", "))!);
  const offenders = Array.isArray(ev.offenderSpanIds) ? (ev.offenderSpanIds as unknown[]).map(String) : [];
  if (offenders.length > 0) {
    const spans = event.spans.filter((s) => s.spanId && offenders.includes(s.spanId));
    out.push(
      `**Offending spans**: ${offenders.length}${spans.length < offenders.length ? ` (${spans.length} found in the event)` : ""}`,
    );
    const groups = new Map<
      string,
      { op: string | null; description: string | null; count: number; ms: number }
    >();
    for (const s of spans) {
      const key = `${s.op}\u0000${s.description}`;
      const g = groups.get(key) ?? { op: s.op, description: s.description, count: 0, ms: 0 };
      g.count++;
      if (s.startTimestamp !== null && s.timestamp !== null) g.ms += (s.timestamp - s.startTimestamp) * 1000;
      groups.set(key, g);
    }
    const sorted = [...groups.values()].sort((a, b) => b.ms - a.ms);
    for (const g of sorted.slice(0, maxSpans)) {
      out.push(
        `- ${g.count} × ${data(g.op, 30)} ${data(g.description, 200)} (${Math.round(g.ms)} ms in all)`,
      );
    }
    if (sorted.length > maxSpans) out.push(`- … ${sorted.length - maxSpans} more distinct spans`);
  }
  return out.join("\n");
}

export function cspSection(event: SentryEvent): string | null {
  const c = event.csp;
  if (!c) return null;
  const get = (k: string) => (typeof c[k] === "string" || typeof c[k] === "number" ? String(c[k]) : null);
  const source = get("source_file")
    ? `${get("source_file")}${get("line_number") ? `:${get("line_number")}` : ""}`
    : null;
  return lines(
    "## Content-Security-Policy violation",
    facts(
      field("Directive", data(get("effective_directive") ?? get("violated_directive"), 80)),
      field("Blocked", data(get("blocked_uri"), 200)),
    ),
    facts(
      field("Document", data(get("document_uri"), 200)),
      field("Source", source ? data(source, 200) : null),
    ),
    get("script_sample") ? field("Sample", data(get("script_sample"), 200)) : null,
    field("Disposition", get("disposition")),
  );
}

export function messageSection(event: SentryEvent, hasException: boolean): string | null {
  if (!event.message || (hasException && event.message === event.title)) return null;
  return lines("## Message", dataBlock(scrubText(event.message), "text", 2000));
}

export function feedbackSection(event: SentryEvent): string | null {
  const fb = event.contexts.feedback;
  if (!fb) return null;
  const message = typeof fb.message === "string" ? fb.message : null;
  const url = typeof fb.url === "string" ? scrubUrl(fb.url) : null;
  return lines(
    "## User feedback",
    message ? dataBlock(scrubText(message), "text", 2000) : null,
    field("Page", url ? data(url, 200) : null),
    fb.associated_event_id ? field("Linked error event", data(String(fb.associated_event_id), 40)) : null,
  );
}

export function otherEntriesSection(event: SentryEvent): string | null {
  const kinds = event.otherEntries.map((e) => e.type).filter((t) => t !== "debugmeta");
  if (kinds.length === 0) return null;
  return `**Other event data**: ${[...new Set(kinds)].map((k) => `\`${k}\``).join(", ")} (not interpreted by this server).`;
}
