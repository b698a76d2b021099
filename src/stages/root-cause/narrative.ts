import type { EvidenceSet } from "../../analysis/evidence.ts";
import { exceptionLabel } from "../../analysis/exception-chain.ts";
import { breadcrumbText } from "../../format/event-sections.ts";
import { data } from "../../format/markdown.ts";
import type { Signals } from "../gather.ts";
import type { Candidate } from "./candidates.ts";
import type { SuspectCommit } from "./history.ts";

/**
 * The causal chain, cause → effect, each step citing evidence the run holds (steps that would cite nothing
 * are left out), plus the supporting evidence of what happened just before the error and who it hit.
 */

export interface ChainStep {
  description: string;
  evidence: string[];
}

export interface Context {
  signals: Signals;
  evidence: EvidenceSet;
  top: Candidate | null;
  commits: SuspectCommit[];
  verdict: "in_app" | "third_party" | "unknown";
  crossService: boolean;
  /** The in-app frame nearest the throw in the analysed event, where the error surfaced. */
  throwSite: Candidate | null;
}

/** Evidence about the moments before the error: error/warn logs on the trace and telling breadcrumbs. */
export function collectLeadUp(signals: Signals, evidence: EvidenceSet): { logs: string[]; crumbs: string[] } {
  const at = Date.parse(signals.event.dateCreated ?? "") || Number.POSITIVE_INFINITY;
  // The error's own log line ("exception raised …") is the effect, not lead-up.
  const echoes = signals.main.chain.links
    .flatMap((l) => [l.exception.type, l.exception.value])
    .filter((t): t is string => Boolean(t && t.length > 3));
  const logs = signals.logs
    .filter(
      (l) =>
        (l.severity === "error" || l.severity === "warn" || l.severity === "fatal") &&
        Date.parse(l.timestamp ?? "") <= at + 1000,
    )
    .filter(
      (l) =>
        !echoes.some((e) => l.message.includes(e)) &&
        !/exception raised|unhandled (error|exception)/i.test(l.message),
    )
    .sort((a, b) => (a.timestamp ?? "").localeCompare(b.timestamp ?? ""))
    .slice(-3)
    .map((l, i) =>
      evidence.add(`log:${l.id ?? i}`, "log", `${l.project ?? "?"} ${l.severity}: ${l.message}`, { ...l }),
    );
  const crumbs = signals.event.breadcrumbs
    .map((b, i) => ({ b, i }))
    .filter(({ b }) => {
      const status = Number(b.data?.status_code ?? b.data?.statusCode);
      return b.level === "error" || b.level === "warning" || b.level === "fatal" || status >= 400;
    })
    .slice(-3)
    .map(({ b, i }) =>
      evidence.add(
        `crumb:${i}`,
        "breadcrumb",
        `${b.category ?? b.type ?? "breadcrumb"} ${b.level ?? ""}: ${breadcrumbText(b)}`,
        { ...b },
      ),
    );
  return { logs, crumbs };
}

/** Tags where one value accounts for nearly every event: a release, a browser, a host. */
export function concentrations(signals: Signals, evidence: EvidenceSet): Array<{ id: string; text: string }> {
  const out: Array<{ id: string; text: string }> = [];
  for (const t of signals.tags) {
    const top = t.topValues[0];
    const total = t.totalValues ?? t.topValues.reduce((s, v) => s + (v.count ?? 0), 0);
    if (!top || top.count === null || total < 20) continue;
    const share = top.count / total;
    if (share < 0.9 || t.topValues.length < 1) continue;
    if (
      ![
        "release",
        "browser.name",
        "os.name",
        "environment",
        "url",
        "transaction",
        "server_name",
        "device",
      ].includes(t.key)
    )
      continue;
    const text = `${t.key} ${data(top.value, 120)} (${Math.round(share * 100)}% of events)`;
    out.push({
      id: evidence.add(`tag:${t.key}`, "tag", text, { key: t.key, top: t.topValues.slice(0, 5), total }),
      text,
    });
  }
  return out;
}

/** Adds a step when it cites evidence the run holds; a step that would cite nothing is left out. */
type AddStep = (description: string, ids: Array<string | null | undefined>) => void;

/**
 * The chain in its order: what changed, where a non-stack lead came from, what led up to the error, the
 * other services' part, the exception itself, its effects, and the impact.
 */
export function causalChain(ctx: Context): ChainStep[] {
  const steps: ChainStep[] = [];
  const add: AddStep = (description, ids) => {
    const grounded = ctx.evidence.grounded(ids);
    if (grounded.length > 0) steps.push({ description, evidence: grounded });
  };
  changeSteps(ctx, add);
  leadSourceSteps(ctx, add);
  const effectLogs = leadUpSteps(ctx, add);
  if (ctx.crossService) crossServiceSteps(ctx, add);
  exceptionSteps(ctx, add);
  if (!ctx.crossService) effectSteps(ctx, add, effectLogs);
  impactStep(ctx, add);
  return steps;
}

/** The commit that changed the culprit, and the release that shipped it. */
function changeSteps({ signals, evidence, top, commits, crossService }: Context, add: AddStep): void {
  const { release, issue } = signals;
  const releaseId =
    release && issue.firstRelease?.version === release.version
      ? evidence.add(
          `release:${release.version}`,
          "release",
          `release ${release.version}: the issue was first seen in it`,
          {
            version: release.version,
            date: release.dateReleased ?? release.dateCreated,
            commits: release.commitCount,
          },
        )
      : null;
  const culprit = commits.find(
    (c) => c.source === "git" && c.score >= 0.6 && top && c.repo === top.repo && c.path === top.path,
  );
  if (culprit) {
    add(
      `Commit ${culprit.sha.slice(0, 12)} (${data(culprit.subject, 120)}, ${culprit.author ?? "?"}, ${culprit.date?.slice(0, 10) ?? "?"}) changed ${culprit.path}${top?.function ? `, including ${data(top.function, 80)}` : ""}.`,
      [culprit.evidence],
    );
  }
  if (!releaseId || crossService) return;
  // The commit is in the release when Sentry lists it, or when history was read at the release commit.
  const shipped =
    culprit &&
    (signals.releaseCommits.some(
      (c) => c.sha.startsWith(culprit.sha.slice(0, 12)) || culprit.sha.startsWith(c.sha),
    ) ||
      (culprit.repo !== null && signals.repos.get(culprit.repo)?.ref.fromRelease === true));
  add(
    shipped
      ? `${release!.version} shipped it; the issue was first seen in that release.`
      : `The issue was first seen in release ${release!.version}.`,
    [releaseId],
  );
}

/** Why a lead that is not the throwing frame leads: a value produced one hop away, or where the time went. */
function leadSourceSteps({ signals, evidence, top }: Context, add: AddStep): void {
  if (top?.source === "one_hop")
    add(
      `${data(top.function, 80)} (${top.path}) produces the value the failing line reads; it is not on the stack because it had already returned.`,
      top.evidence.filter((e) => e.startsWith("code:")),
    );
  if (top?.source !== "profile" && top?.source !== "span" && top?.source !== "list_query") return;
  if (signals.event.occurrence)
    add(
      `${signals.event.occurrence.issueTitle ? data(signals.event.occurrence.issueTitle, 120) : "A performance detector"} flagged ${signals.event.title ? data(signals.event.title, 120) : "the transaction"}.`,
      ["occurrence"],
    );
  const name = top.function ? data(top.function, 80) : (top.path ?? "This code");
  if (top.source === "list_query") {
    // The profile shows where the time goes; the list that drives the repeated query is the cause.
    const hot = top.evidence.map((id) => evidence.get(id)).find((e) => e?.kind === "profile");
    if (hot) add(`The repeated query is where the time goes (${hot.summary}).`, [hot.id]);
    add(`${name} causes it: it ${top.reasons[0] ?? ""}.`, top.evidence);
  } else add(`${name} is where the time goes: ${top.reasons[0] ?? ""}.`, top.evidence);
}

type LogData = { project?: string | null; severity?: string; message?: string };

/** Logs and breadcrumbs before the error; returns the logs that are its effects, told after it. */
function leadUpSteps({ signals, evidence, crossService }: Context, add: AddStep): string[] {
  const lead = collectLeadUp(signals, evidence);
  // When this service raised the error, what the services that called it logged came after: effects.
  const affected = new Set(crossService ? [] : signals.related.map((r) => r.ref.project));
  const logProject = (id: string) => (evidence.get(id)!.data as LogData).project ?? null;
  const effectLogs = lead.logs.filter((id) => affected.has(logProject(id)));
  for (const id of lead.logs.filter((x) => !effectLogs.includes(x))) {
    const l = evidence.get(id)!.data as LogData;
    add(
      `Before the error, ${l.project ?? "a service"} logged ${l.severity ?? "a line"}: ${data(l.message)}.`,
      [id],
    );
  }
  for (const id of lead.crumbs) {
    const b = evidence.get(id)!.data as Parameters<typeof breadcrumbText>[0];
    add(
      `Breadcrumb before the error (${b.category ?? b.type ?? "breadcrumb"}, ${b.level ?? "?"}): ${data(breadcrumbText(b))}.`,
      [id],
    );
  }
  return effectLogs;
}

/** The cause lies in another service: its error while handling the request, and the caller giving up. */
function crossServiceSteps({ signals, evidence, top }: Context, add: AddStep): void {
  for (const r of signals.related.filter((x) => x.view)) {
    const id = relatedErrorEvidence(evidence, r.ref);
    const frame = top && top.source === "other_service" ? top.evidence[0] : null;
    add(
      `${r.ref.project} failed while handling the request: ${r.ref.title ? data(r.ref.title, 160) : "an error"}${r.ref.shortId ? ` (${r.ref.shortId})` : ""}${top?.source === "other_service" ? ` in ${data(top.function, 80)} (${top.path}:${top.line})` : ""}.`,
      [id, frame],
    );
  }
  if (top?.source === "span")
    add(
      `The call from ${signals.issue.project.slug} gave up: ${top.reasons[0] ?? ""}.`,
      top.evidence.filter((e) => e.startsWith("span:")),
    );
}

/** The exception where it was raised, and what it surfaced as. */
function exceptionSteps({ signals, evidence, throwSite: site }: Context, add: AddStep): void {
  const { origin, raised } = signals.main.chain;
  if (!origin) return;
  const exId = evidence.add(`exception:main:${origin.index}`, "exception", exceptionLabel(origin.exception), {
    type: origin.exception.type,
    value: origin.exception.value,
    mechanism: origin.exception.mechanism,
  });
  const mainFrame = site?.evidence.find((e) => e.startsWith("frame:main:"));
  const code = mainFrame
    ? (evidence.get(mainFrame)?.data as { code?: string | null } | undefined)?.code
    : null;
  const at = site
    ? ` in ${data(site.function, 80)} (${site.path}${site.line ? `:${site.line}` : ""})${code ? `: ${data(code, 160)}` : ""}`
    : "";
  add(`${data(exceptionLabel(origin.exception))} was raised${at}.`, [exId, mainFrame]);
  if (!raised || raised === origin) return;
  const rid = evidence.add(`exception:main:${raised.index}`, "exception", exceptionLabel(raised.exception), {
    type: raised.exception.type,
    value: raised.exception.value,
  });
  add(`It surfaced as ${data(exceptionLabel(raised.exception))}.`, [rid]);
}

/** This service raised the error: the services that called it failed, and logged, after. */
function effectSteps({ signals, evidence }: Context, add: AddStep, effectLogs: string[]): void {
  for (const r of signals.related.filter((x) => x.view)) {
    const id = relatedErrorEvidence(evidence, r.ref);
    add(
      `As a result, ${r.ref.project} failed too: ${r.ref.title ? data(r.ref.title, 160) : "an error"}${r.ref.shortId ? ` (${r.ref.shortId})` : ""}.`,
      [id],
    );
  }
  for (const id of effectLogs) {
    const l = evidence.get(id)!.data as LogData;
    add(`${l.project ?? "A service"} then logged ${l.severity ?? "a line"}: ${data(l.message)}.`, [id]);
  }
}

/** How many events and users, since when, and where they concentrate. */
function impactStep({ signals, evidence }: Context, add: AddStep): void {
  const { issue, event } = signals;
  const eventId = evidence.add(
    `event:${event.id}`,
    "event",
    `event ${event.id} (${signals.selector}) at ${event.dateCreated ?? "?"}`,
    {
      id: event.id,
      date: event.dateCreated,
      environment: event.environment,
      release: event.release?.version ?? null,
      trace_id: event.trace?.traceId ?? null,
    },
  );
  const concentrated = concentrations(signals, evidence);
  add(
    `Impact: ${issue.count ?? "?"} events from ${issue.userCount ?? "?"} users since ${issue.firstSeen?.slice(0, 10) ?? "?"}${concentrated.length > 0 ? `; concentrated in ${concentrated.map((c) => c.text).join(", ")}` : ""}.`,
    [eventId, ...concentrated.map((c) => c.id)],
  );
}

/** Another service's error in the same trace, as evidence. */
function relatedErrorEvidence(evidence: EvidenceSet, ref: Signals["related"][number]["ref"]): string {
  return evidence.add(
    `error:${ref.eventId}`,
    "trace_error",
    `${ref.project} recorded ${ref.shortId ?? "an error"}: ${ref.title ?? ""}`,
    { ...ref },
  );
}

export function summaryOf(ctx: Context): string {
  const { signals, top } = ctx;
  const origin = signals.main.chain.origin;
  const what = data(origin ? exceptionLabel(origin.exception) : (signals.event.title ?? signals.issue.title));
  if (ctx.verdict === "third_party") {
    return `${what} is raised inside library code and no application frame is on the stack, so no in-app culprit is named: the cause is in the library, its version, or how it is configured.`;
  }
  if (ctx.verdict === "unknown" || !top) {
    return `${what}: the cause cannot be located — ${ctx.signals.repos.size === 0 ? "no repository is connected for this project" : "no frame or span maps to code in a connected repository"}.`;
  }
  const commit = ctx.commits.find((c) => c.source === "git" && c.score >= 0.6 && c.path === top.path);
  const where = `${top.function ? data(top.function, 80) : "an unnamed function"} (${top.repo ? `${top.repo}: ` : ""}${top.path}${top.line ? `:${top.line}` : ""})`;
  const via =
    top.source === "other_service"
      ? ` in another service; ${signals.issue.project.slug} only reported the failed call`
      : top.source === "span"
        ? ` in the service the call waited on; ${signals.issue.project.slug} only reported the failure`
        : top.source === "one_hop"
          ? ", one call outside the stack: it produced the value the failing line reads"
          : "";
  return `${what} — most likely caused in ${where}${via}${commit ? `, introduced by ${commit.sha.slice(0, 12)} (${data(commit.subject, 120)})` : ""}.`;
}
