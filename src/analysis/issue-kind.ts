import type { Issue, SentryEvent } from "../sentry/types.ts";

/** What sort of problem an issue is, which decides what evidence matters and whether code can fix it. */
type IssueKind =
  | "error"
  | "message"
  | "performance"
  | "metric_regression"
  | "csp"
  | "feedback"
  | "cron"
  | "uptime"
  | "unknown";

const KNOWN_EVENT_TYPES = new Set([
  "error",
  "default",
  "transaction",
  "generic",
  "csp",
  "nel",
  "hpkp",
  "expectct",
  "expectstaple",
  "feedback",
]);

export function issueKind(
  issue: Issue,
  event: SentryEvent | null,
): { kind: IssueKind; label: string; note: string | null } {
  const category = (issue.issueCategory ?? "").toLowerCase();
  const issueType = (issue.issueType ?? issue.type).toLowerCase();
  const eventType = event?.type ?? issue.type;
  if (category === "feedback" || issueType === "feedback" || issue.metadata.type === "Feedback") {
    return {
      kind: "feedback",
      label: "user feedback",
      note: "This is user feedback, not an error: there is no stack to fix. If it links an error event, investigate that issue instead.",
    };
  }
  if (category === "cron" || issueType.includes("monitor_check_in")) {
    return {
      kind: "cron",
      label: "cron monitor failure",
      note: "A missed or failed cron check-in: look at the job's own logs and schedule.",
    };
  }
  if (category === "uptime" || issueType.includes("uptime")) {
    return { kind: "uptime", label: "uptime check failure", note: null };
  }
  if (
    category === "metric" ||
    issueType.includes("regression") ||
    (eventType === "generic" && !event?.exceptions.length)
  ) {
    return {
      kind: "metric_regression",
      label: `metric regression (${issue.issueType ?? "generic"})`,
      note: null,
    };
  }
  if (category === "performance" || (eventType === "transaction" && event?.occurrence)) {
    return { kind: "performance", label: `performance (${issue.issueType ?? "transaction"})`, note: null };
  }
  if (issue.type === "csp" || eventType === "csp" || event?.csp) {
    return { kind: "csp", label: "Content-Security-Policy report", note: null };
  }
  if (event && event.exceptions.length > 0) return { kind: "error", label: "error (exception)", note: null };
  if (
    eventType === "default" ||
    (event?.message && event.exceptions.length === 0 && KNOWN_EVENT_TYPES.has(eventType))
  ) {
    return { kind: "message", label: "message (no exception)", note: null };
  }
  if (!KNOWN_EVENT_TYPES.has(eventType)) {
    return {
      kind: "unknown",
      label: `unrecognised event type \`${eventType}\``,
      note: `Event type \`${eventType}\` is new to this server; only its generic fields are shown.`,
    };
  }
  return { kind: issue.type === "error" ? "error" : "message", label: issue.type, note: null };
}
