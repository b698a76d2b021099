import {
  type ChainLink,
  type ExceptionChain,
  exceptionChain,
  exceptionLabel,
  inAppStack,
  type primaryStack,
} from "../analysis/exception-chain.ts";
import { issueKind } from "../analysis/issue-kind.ts";
import type { IssueStructured } from "../contract/issue.ts";
import type { TraceMeta } from "../sentry/traces.ts";
import type { SentryEvent } from "../sentry/types.ts";
import { truncate } from "../text/clip.ts";
import { scrubText, scrubUrl } from "../text/scrub.ts";
import {
  breadcrumbsSection,
  chainSection,
  contextsSection,
  cspSection,
  feedbackSection,
  frameLabel,
  messageSection,
  occurrenceSection,
  otherEntriesSection,
  processingErrorsSection,
  requestSection,
  stackSection,
  tagsSection,
} from "./event-sections.ts";
import { type IssueViewInput, LIMITS, structuredIssue } from "./issue-view.ts";
import { call, count, data, facts, field, lines, UNTRUSTED_NOTICE, when } from "./markdown.ts";

const MAX_OUTPUT = 60_000;

export function renderIssue(input: IssueViewInput): { markdown: string; structured: IssueStructured } {
  const { issue, event, detail } = input;
  const limit = LIMITS[detail];
  const chain = event ? exceptionChain(event) : null;
  const kind = issueKind(issue, event);
  const sections: Array<string | null> = [
    `# ${issue.shortId ?? issue.id} · ${data(issue.title, 200)}`,
    UNTRUSTED_NOTICE,
    issueFacts(input, kind.label),
  ];
  if (event && chain) {
    sections.push(eventFacts(input, event), contextsSection(event));
    sections.push(chainSection(chain));
    const { stack, link } = inAppStack(event, chain);
    sections.push(
      stackSection(
        stack,
        {
          maxFrames: limit.frames,
          contextFrames: limit.contextFrames,
          contextLines: limit.contextLines,
          inAppOnly: detail === "brief",
        },
        link
          ? `## Stack of the ${link.role} exception ${data(link.exception.type ?? "Error", 80)}`
          : undefined,
        link ? borrowedStackNote(chain, link) : null,
      ),
    );
    if (limit.chainStacks) sections.push(...otherChainStacks(chain, stack));
    sections.push(
      messageSection(event, chain.links.length > 0),
      occurrenceSection(event, limit.spans),
      cspSection(event),
      feedbackSection(event),
      breadcrumbsSection(event.breadcrumbs, limit.crumbs),
      requestSection(event, detail === "full"),
      processingErrorsSection(event),
      otherEntriesSection(event),
    );
  } else {
    sections.push(`## Event\nNo event could be loaded: ${input.eventProblem ?? "Sentry returned none"}.`);
  }
  sections.push(releaseSection(input), tagsSection(input.tags, event?.tags ?? [], detail === "full"));
  if (input.problems && input.problems.length > 0) {
    sections.push(
      `**Not available**: ${input.problems.map((p) => data(p, 160)).join("; ")}. The rest of this view is complete.`,
    );
  }
  if (kind.note) sections.push(`**Note**: ${kind.note}`);
  sections.push(nextSection(input, event));
  const joined = sections.filter((s): s is string => Boolean(s)).join("\n\n");
  // Every section bounds itself; this is the last line of defence against a payload nobody foresaw.
  const markdown =
    joined.length > MAX_OUTPUT
      ? `${joined.slice(0, MAX_OUTPUT)}\n\n… (output cut at ${MAX_OUTPUT} characters)`
      : joined;
  return { markdown: scrubText(markdown), structured: structuredIssue(input, chain, kind.label) };
}

function issueFacts(input: IssueViewInput, kindLabel: string): string {
  const { issue, now } = input;
  const status = issue.substatus ? `${issue.status} (${issue.substatus})` : issue.status;
  const firstRelease = issue.firstRelease?.version;
  return lines(
    facts(
      field("Issue", `${data(issue.shortId ?? issue.id, 60)} (id ${data(issue.id, 40)})`),
      field("Project", data(issue.project.slug, 60)),
      field("Kind", truncate(kindLabel, 100)),
      field("Level", data(issue.level, 20)),
      field("Status", data(status, 60)),
      field("Priority", issue.priority ? data(issue.priority, 20) : null),
    ),
    facts(
      field("Events", count(issue.count)),
      field("Users", count(issue.userCount)),
      field("First seen", when(issue.firstSeen, now)),
      field("Last seen", when(issue.lastSeen, now)),
    ),
    facts(
      field("Culprit", issue.culprit ? data(issue.culprit, 160) : null),
      field("First release", firstRelease ? data(firstRelease, 80) : null),
      field("Assigned to", issue.assignedTo ? data(issue.assignedTo, 60) : null),
      field(
        "Fixability",
        issue.fixabilityScore !== null ? `${issue.fixabilityScore.toFixed(2)} (Sentry score)` : null,
      ),
    ),
    field("Link", issue.permalink ? truncate(scrubUrl(issue.permalink).replace(/[\s`<>]/g, ""), 300) : null),
  );
}

function eventFacts(input: IssueViewInput, event: SentryEvent): string {
  const handled = event.tags.find(([k]) => k === "handled")?.[1];
  return lines(
    `## Event ${data(event.id, 40)} (${input.eventSelector})`,
    facts(
      field("When", when(event.dateCreated, input.now)),
      field("Environment", event.environment ? data(event.environment, 40) : null),
      field("Release", event.release ? data(event.release.version, 80) : null),
      field("Platform", event.platform ? data(event.platform, 30) : null),
      field("Handled", handled ? data(handled, 20) : null),
    ),
    facts(
      field(
        "Trace",
        event.trace?.traceId
          ? `\`${event.trace.traceId}\`${event.trace.spanId ? ` (span \`${event.trace.spanId}\`)` : ""}${traceCounts(input.traceMeta)}`
          : null,
      ),
      field("Transaction", tagOf(event, "transaction") ? data(tagOf(event, "transaction"), 100) : null),
      field(
        "Profile",
        event.profileId
          ? `\`${event.profileId}\``
          : event.profilerId
            ? `continuous \`${event.profilerId}\``
            : null,
      ),
      field("Replay", event.replayId ? `\`${event.replayId}\`` : null),
    ),
    event.user ? field("User", userSummary(event)) : null,
  );
}

function tagOf(event: SentryEvent, key: string): string | null {
  return event.tags.find(([k]) => k === key)?.[1] ?? null;
}

function traceCounts(meta: TraceMeta | null | undefined): string {
  if (!meta) return "";
  const parts = [
    meta.errors !== null ? `${meta.errors} error${meta.errors === 1 ? "" : "s"}` : null,
    meta.performanceIssues
      ? `${meta.performanceIssues} performance issue${meta.performanceIssues === 1 ? "" : "s"}`
      : null,
    meta.spans !== null ? `${meta.spans} spans` : null,
    meta.logs ? `${meta.logs} logs` : null,
  ].filter(Boolean);
  return parts.length > 0 ? ` — ${parts.join(", ")}` : "";
}

/** Identify the user without exposing personal data: id or username, and country. */
function releaseSection(input: IssueViewInput): string | null {
  const { release, issue, now } = input;
  const commits = input.suspectCommits ?? null;
  if (!release && (!commits || commits.length === 0)) return null;
  const out = ["## Release and suspect commits"];
  if (release) {
    const deployed = release.lastDeploy?.environment
      ? `deployed to ${release.lastDeploy.environment}${release.lastDeploy.dateFinished ? ` ${when(release.lastDeploy.dateFinished, now)}` : ""}`
      : null;
    out.push(
      facts(
        field("Release", data(release.version, 80)),
        field("Released", when(release.dateReleased ?? release.dateCreated, now)),
        field("Commits", release.commitCount !== null ? String(release.commitCount) : null),
        deployed,
      )!,
    );
    const first = issue.firstRelease?.version;
    if (first) {
      out.push(
        first === release.version
          ? `**First seen in**: this release — the issue started with ${data(first, 80)}.`
          : `**First seen in**: ${data(first, 80)}; this event is from ${data(release.version, 80)}.`,
      );
    }
  }
  if (commits && commits.length > 0) {
    out.push("**Suspect commits** (from Sentry):");
    for (const c of commits.slice(0, 5)) {
      const who = c.author ? ` by ${data(c.author, 40)}` : "";
      const date = c.date ? ` ${c.date.slice(0, 10)}` : "";
      out.push(
        `- \`${c.sha.slice(0, 12)}\` ${data(c.subject, 120)}${who}${date}${c.suspectType ? ` (${c.suspectType})` : ""}`,
      );
    }
  } else if (commits) {
    out.push("**Suspect commits**: Sentry has none for this event (no release commits or code mappings).");
  }
  return out.join("\n");
}

function userSummary(event: SentryEvent): string | null {
  const u = event.user;
  if (!u) return null;
  const who = u.id
    ? `id ${data(u.id, 40)}`
    : u.username
      ? data(u.username, 40)
      : u.email || u.ipAddress
        ? "anonymous (contact details withheld)"
        : null;
  const where = u.geo?.countryCode ? `from ${u.geo.countryCode}` : null;
  return [who, where].filter(Boolean).join(" ") || null;
}

/** Why the stack shown is not the origin's: the origin's frames are all library code. */
function borrowedStackNote(chain: ExceptionChain, shown: ChainLink): string {
  const origin = chain.origin!;
  const frames = origin.stacktrace?.frames ?? [];
  const site = frames.length > 0 ? `, thrown at ${data(frameLabel(frames[frames.length - 1]!), 160)}` : "";
  const name = (l: ChainLink) => `${chain.links.indexOf(l) + 1} (${data(l.exception.type ?? "Error", 80)})`;
  return `The origin, ${name(origin)}, has only library frames${site}; the application's frames are on the stack of ${name(shown)}.`;
}

function otherChainStacks(chain: ExceptionChain, shown: ReturnType<typeof primaryStack>): string[] {
  return chain.links
    .filter((l) => l.stacktrace && l.stacktrace !== shown)
    .map((l) =>
      stackSection(
        l.stacktrace,
        { maxFrames: 20, contextFrames: 1, contextLines: 3, inAppOnly: false },
        `### Stack of ${l.role} ${data(exceptionLabel(l.exception), 100)}`,
      ),
    )
    .filter((s): s is string => s !== null);
}

function nextSection(input: IssueViewInput, event: SentryEvent | null): string {
  const ref = input.issue.shortId ?? input.issue.id;
  const has = (t: string) => input.tools.has(t);
  const next: string[] = [];
  if (has("analyze_root_cause"))
    next.push(`${call("analyze_root_cause", { issue: ref })} — run the root-cause stage`);
  if (event?.trace?.traceId && has("get_trace")) {
    next.push(
      `${call("get_trace", { trace_id: event.trace.traceId, event: event.id })} — what other services did in this request`,
    );
  }
  if (event?.trace?.traceId && has("search_logs")) {
    next.push(`${call("search_logs", { trace_id: event.trace.traceId })} — log lines of this trace`);
  }
  if ((event?.profileId || event?.profilerId) && has("get_profile")) {
    next.push(`${call("get_profile", { issue: ref })} — where the time went`);
  }
  if (input.detail === "brief") {
    next.push(
      `${call("get_issue", { issue: ref, detail: "full" })} — every frame, breadcrumb, header and the other exceptions' stacks`,
    );
  }
  if (input.eventSelector !== "latest" && event) {
    next.push(`${call("get_issue", { issue: ref, event: "latest" })} — the most recent occurrence`);
  }
  return lines("## Next", ...next.map((n) => `- ${n}`));
}
