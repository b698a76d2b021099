import type { LogGroup } from "../analysis/logs.ts";
import type { LogsStructured } from "../contract/logs.ts";
import { truncate } from "../text/clip.ts";
import { call, cell, field, lines, UNTRUSTED_NOTICE } from "./markdown.ts";

interface LogsViewInput {
  title: string;
  query: string;
  window: LogsStructured["window"];
  fetched: number;
  bySeverity: Record<string, number> | null;
  more: boolean;
  kept: LogGroup[];
  elided: LogGroup[];
  /** Marks where the error event happened, when the logs were read for an issue. */
  eventTime: string | null;
  tools: ReadonlySet<string>;
  traceId: string | null;
}

export function renderLogs(input: LogsViewInput): { markdown: string; structured: LogsStructured } {
  const rows: string[] = [];
  let marked = input.eventTime === null;
  for (const g of input.kept) {
    if (!marked && g.first && input.eventTime && g.first > input.eventTime) {
      rows.push("| ── | ── | ── | **the error event happened here** | |");
      marked = true;
    }
    const time = g.first ? g.first.slice(11, 23) : "—";
    const span = g.count > 1 && g.last && g.last !== g.first ? ` (until ${g.last.slice(11, 23)})` : "";
    rows.push(
      `| ${time}${span} | ${g.severity} | ${cell(g.project, 30)} | ${cell(g.message, 240)} | ${g.count > 1 ? `×${g.count}` : ""} |`,
    );
  }
  if (!marked) rows.push("| ── | ── | ── | **the error event happened here** | |");
  const totals = input.bySeverity
    ? Object.entries(input.bySeverity)
        .sort((a, b) => b[1] - a[1])
        .map(([s, n]) => `${n.toLocaleString("en-US")} ${s}`)
        .join(", ")
    : null;
  const elidedBySeverity = new Map<string, number>();
  for (const g of input.elided)
    elidedBySeverity.set(g.severity, (elidedBySeverity.get(g.severity) ?? 0) + g.count);
  const elidedText = [...elidedBySeverity.entries()].map(([s, n]) => `${n} ${s}`).join(", ");
  const next: string[] = [];
  if (input.traceId && input.tools.has("get_trace"))
    next.push(`${call("get_trace", { trace_id: input.traceId })} — the spans these lines belong to`);
  if (input.elided.length > 0 || input.more)
    next.push(
      `${call("search_logs", { query: `${input.query} severity:[error,warn]`.trim() })} — only errors and warnings`,
    );
  const markdown = lines(
    `# ${input.title}`,
    "",
    UNTRUSTED_NOTICE,
    "",
    field("Query", `\`${input.query || "(everything)"}\``),
    field(
      "Window",
      input.window.period ? `last ${input.window.period}` : `${input.window.start} → ${input.window.end}`,
    ),
    field("Matching lines", totals ? `${totals} (Sentry's count)` : null),
    field(
      "Shown",
      `${input.kept.length} distinct lines from ${input.fetched} rows read${input.more ? " (more rows exist; the newest were read, plus every error and warning)" : ""}`,
    ),
    input.elided.length > 0
      ? field(
          "Elided",
          `${input.elided.length} distinct lines (${elidedText}); errors and warnings are kept first`,
        )
      : null,
    "",
    input.kept.length === 0
      ? "No log lines matched."
      : lines("| time (UTC) | severity | project | message | repeats |", "|---|---|---|---|---|", ...rows),
    next.length > 0 ? `\n## Next\n${next.map((n) => `- ${n}`).join("\n")}` : null,
  );
  return {
    markdown,
    structured: {
      query: input.query,
      window: input.window,
      totals: { fetched: input.fetched, by_severity: input.bySeverity, more_available: input.more },
      lines: input.kept.map((g) => ({
        timestamp: g.first,
        last_timestamp: g.last,
        severity: g.severity,
        project: g.project,
        message: truncate(g.message, 1000),
        count: g.count,
      })),
      elided_groups: input.elided.length,
    },
  };
}
