import type { AutomationConfig } from "../config-automation.ts";
import type { Issue } from "../sentry/types.ts";

/**
 * Whether an issue is worth an automatic fix, with Seer's defaults: at least 10 events, seen in the last 14
 * days, fixability at least medium — Sentry's seerFixabilityScore ≥ 0.40 when the issue has one, otherwise
 * the root-cause confidence (decided after the analysis) — plus project and level filters.
 */
type GateResult = { ok: true; needsConfidence: boolean } | { ok: false; reason: string };

export function actionable(issue: Issue, rules: AutomationConfig["actionability"], now: number): GateResult {
  if (rules.projects && !rules.projects.includes(issue.project.slug))
    return { ok: false, reason: `project ${issue.project.slug} is not in actionability.projects` };
  if (!rules.levels.includes(issue.level))
    return { ok: false, reason: `level ${issue.level} is not one of ${rules.levels.join(", ")}` };
  if (issue.status !== "unresolved") return { ok: false, reason: `the issue is ${issue.status}` };
  if ((issue.count ?? 0) < rules.minEvents)
    return { ok: false, reason: `${issue.count ?? 0} events, fewer than ${rules.minEvents}` };
  const last = Date.parse(issue.lastSeen ?? "");
  if (Number.isNaN(last) || now - last > rules.seenWithinDays * 86_400_000) {
    return { ok: false, reason: `not seen in the last ${rules.seenWithinDays} days` };
  }
  if (issue.fixabilityScore !== null) {
    if (issue.fixabilityScore < rules.minFixability)
      return {
        ok: false,
        reason: `Sentry fixability ${issue.fixabilityScore.toFixed(2)} is below ${rules.minFixability}`,
      };
    return { ok: true, needsConfidence: false };
  }
  return { ok: true, needsConfidence: true };
}

/** The second half of the gate when Sentry has no fixability score: the root cause must be at least medium. */
export function confidentEnough(
  confidence: { level: string; score: number },
  rules: AutomationConfig["actionability"],
): GateResult {
  if (confidence.level === "low" || confidence.score < rules.minFixability) {
    return {
      ok: false,
      reason: `no Sentry fixability score, and the root-cause confidence is ${confidence.level} (${confidence.score})`,
    };
  }
  return { ok: true, needsConfidence: false };
}
