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

export function causalChain(ctx: Context): ChainStep[] {
  const { signals, evidence, top } = ctx;
  const steps: ChainStep[] = [];
  const add = (description: string, ids: Array<string | null | undefined>) => {
    const grounded = evidence.grounded(ids);
    if (grounded.length > 0) steps.push({ description, evidence: grounded });
  };
  const issue = signals.issue;
  const releaseId =
    signals.release && issue.firstRelease?.version === signals.release.version
      ? evidence.add(
          `release:${signals.release.version}`,
          "release",
          `release ${signals.release.version}: the issue was first seen in it`,
          {
            version: signals.release.version,
            date: signals.release.dateReleased ?? signals.release.dateCreated,
            commits: signals.release.commitCount,
          },
        )
      : null;

  const culprit = ctx.commits.find(
    (c) => c.source === "git" && c.score >= 0.6 && top && c.repo === top.repo && c.path === top.path,
  );
  if (culprit) {
    add(
      `Commit ${culprit.sha.slice(0, 12)} (${data(culprit.subject, 120)}, ${culprit.author ?? "?"}, ${culprit.date?.slice(0, 10) ?? "?"}) changed ${culprit.path}${top?.function ? `, including ${data(top.function, 80)}` : ""}.`,
      [culprit.evidence],
    );
  }
  if (releaseId && !ctx.crossService) {
    // The commit is in the release when Sentry lists it, or when history was read at the release commit.
    const shipped =
      culprit &&
      (signals.releaseCommits.some(
        (c) => c.sha.startsWith(culprit.sha.slice(0, 12)) || culprit.sha.startsWith(c.sha),
      ) ||
        (culprit.repo !== null && signals.repos.get(culprit.repo)?.ref.fromRelease === true));
    add(
      shipped
        ? `${signals.release!.version} shipped it; the issue was first seen in that release.`
        : `The issue was first seen in release ${signals.release!.version}.`,
      [releaseId],
    );
  }
  if (top?.source === "one_hop")
    add(
      `${data(top.function, 80)} (${top.path}) produces the value the failing line reads; it is not on the stack because it had already returned.`,
      top.evidence.filter((e) => e.startsWith("code:")),
    );
  if (top?.source === "profile" || top?.source === "span" || top?.source === "list_query") {
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

  const lead = collectLeadUp(signals, evidence);
  // When this service raised the error, what the services that called it logged came after: effects.
  const affected = new Set(ctx.crossService ? [] : signals.related.map((r) => r.ref.project));
  const logProject = (id: string) => (evidence.get(id)!.data as { project?: string | null }).project ?? null;
  const effectLogs = lead.logs.filter((id) => affected.has(logProject(id)));
  for (const id of lead.logs.filter((x) => !effectLogs.includes(x))) {
    const l = evidence.get(id)!.data as { project?: string | null; severity?: string; message?: string };
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

  if (ctx.crossService) {
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
        `The call from ${issue.project.slug} gave up: ${top.reasons[0] ?? ""}.`,
        top.evidence.filter((e) => e.startsWith("span:")),
      );
  }

  const origin = signals.main.chain.origin;
  if (origin) {
    const exId = evidence.add(
      `exception:main:${origin.index}`,
      "exception",
      exceptionLabel(origin.exception),
      { type: origin.exception.type, value: origin.exception.value, mechanism: origin.exception.mechanism },
    );
    const site = ctx.throwSite;
    const mainFrame = site?.evidence.find((e) => e.startsWith("frame:main:"));
    const code = mainFrame
      ? (evidence.get(mainFrame)?.data as { code?: string | null } | undefined)?.code
      : null;
    const at = site
      ? ` in ${data(site.function, 80)} (${site.path}${site.line ? `:${site.line}` : ""})${code ? `: ${data(code, 160)}` : ""}`
      : "";
    add(`${data(exceptionLabel(origin.exception))} was raised${at}.`, [exId, mainFrame]);
    const raised = signals.main.chain.raised;
    if (raised && raised !== origin) {
      const rid = evidence.add(
        `exception:main:${raised.index}`,
        "exception",
        exceptionLabel(raised.exception),
        { type: raised.exception.type, value: raised.exception.value },
      );
      add(`It surfaced as ${data(exceptionLabel(raised.exception))}.`, [rid]);
    }
  }
  if (!ctx.crossService) {
    for (const r of signals.related.filter((x) => x.view)) {
      const id = relatedErrorEvidence(evidence, r.ref);
      add(
        `As a result, ${r.ref.project} failed too: ${r.ref.title ? data(r.ref.title, 160) : "an error"}${r.ref.shortId ? ` (${r.ref.shortId})` : ""}.`,
        [id],
      );
    }
    for (const id of effectLogs) {
      const l = evidence.get(id)!.data as { project?: string | null; severity?: string; message?: string };
      add(`${l.project ?? "A service"} then logged ${l.severity ?? "a line"}: ${data(l.message)}.`, [id]);
    }
  }
  const eventId = evidence.add(
    `event:${signals.event.id}`,
    "event",
    `event ${signals.event.id} (${signals.selector}) at ${signals.event.dateCreated ?? "?"}`,
    {
      id: signals.event.id,
      date: signals.event.dateCreated,
      environment: signals.event.environment,
      release: signals.event.release?.version ?? null,
      trace_id: signals.event.trace?.traceId ?? null,
    },
  );
  const concentrated = concentrations(signals, evidence);
  add(
    `Impact: ${issue.count ?? "?"} events from ${issue.userCount ?? "?"} users since ${issue.firstSeen?.slice(0, 10) ?? "?"}${concentrated.length > 0 ? `; concentrated in ${concentrated.map((c) => c.text).join(", ")}` : ""}.`,
    [eventId, ...concentrated.map((c) => c.id)],
  );
  return steps;
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
