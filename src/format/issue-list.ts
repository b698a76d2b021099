import type { IssueListStructured } from "../contract/issue-list.ts";
import type { Issue } from "../sentry/types.ts";
import { call, cell, count, field, lines, UNTRUSTED_NOTICE, when } from "./markdown.ts";

export function renderIssueList(input: {
  query: string;
  sort: string;
  period: string;
  pageArgs: Record<string, unknown>;
  issues: Issue[];
  total: number | null;
  nextCursor: string | null;
  now: number;
  tools: ReadonlySet<string>;
}): { markdown: string; structured: IssueListStructured } {
  const { issues } = input;
  const hasFixability = issues.some((i) => i.fixabilityScore !== null);
  const header = `| issue | title | culprit | events | users | first seen | last seen |${hasFixability ? " fixability |" : ""}`;
  const rule = `|---|---|---|---|---|---|---|${hasFixability ? "---|" : ""}`;
  const rows = issues.map((i) => {
    const ago = (iso: string | null) => when(iso, input.now)?.replace(/^.*\((.*)\)$/, "$1") ?? "—";
    const fix = hasFixability ? ` ${i.fixabilityScore !== null ? i.fixabilityScore.toFixed(2) : "—"} |` : "";
    return `| \`${i.shortId ?? i.id}\` | ${cell(i.title, 90)} | ${cell(i.culprit, 50)} | ${count(i.count)} | ${count(i.userCount)} | ${ago(i.firstSeen)} | ${ago(i.lastSeen)} |${fix}`;
  });
  const next: string[] = [];
  const first = issues[0];
  if (first && input.tools.has("get_issue"))
    next.push(`${call("get_issue", { issue: first.shortId ?? first.id })} — open the first one`);
  if (input.nextCursor)
    next.push(`${call("search_issues", { ...input.pageArgs, cursor: input.nextCursor })} — the next page`);
  const markdown = lines(
    "# Sentry issues",
    "",
    UNTRUSTED_NOTICE,
    "",
    field("Query", `\`${input.query || "(everything)"}\` · sorted by ${input.sort} · last ${input.period}`),
    field(
      "Matching",
      input.total !== null
        ? `${input.total} issues (showing ${issues.length})`
        : `${issues.length} shown${input.nextCursor ? ", more available" : ""}`,
    ),
    "",
    issues.length === 0
      ? "No issues matched. Try a wider period, another project, or `is:unresolved` alone."
      : lines(header, rule, ...rows),
    next.length > 0 ? `\n## Next\n${next.map((n) => `- ${n}`).join("\n")}` : null,
  );
  return {
    markdown,
    structured: {
      query: input.query,
      sort: input.sort,
      total: input.total,
      next_cursor: input.nextCursor,
      issues: issues.map((i) => ({
        id: i.id,
        short_id: i.shortId,
        title: i.title,
        culprit: i.culprit,
        project: i.project.slug,
        level: i.level,
        status: i.status,
        count: i.count,
        user_count: i.userCount,
        first_seen: i.firstSeen,
        last_seen: i.lastSeen,
        fixability_score: i.fixabilityScore,
        permalink: i.permalink,
      })),
    },
  };
}
