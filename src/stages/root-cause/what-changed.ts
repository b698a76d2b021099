import type { Question, StageContext } from "../../context.ts";
import type { RootCauseOutput } from "../../contract/root-cause.ts";
import { scrubText } from "../../text/scrub.ts";
import { pickOne } from "../questions.ts";

/**
 * The low-confidence question. When the ranking is unsure and no strong suspect commit dates a change to the
 * top candidate, what the person knows moves it most: did it start after a
 * deploy, a config change, an upgrade? The answer becomes the run's feedback, as add_feedback records a
 * message, so it is evidence the chain can cite and the next revision keeps.
 */

export const CHANGES = [
  "a deploy",
  "a config or feature-flag change",
  "a dependency upgrade",
  "a change in traffic or data",
  "nothing I know of",
] as const;

const DETAILS_MAX = 300;

/** A suspect commit this strong on the top candidate's file dates the change: asking adds nothing. */
const DATED = 0.6;

/** What the question looks at: the ranking, before a run holds it. */
type Ranking = Pick<RootCauseOutput, "confidence" | "verdict" | "candidates" | "suspect_commits">;

/** Low confidence in an application location, and no strong suspect commit on the top candidate's file. */
function thinEvidence(output: Ranking): boolean {
  const top = output.candidates[0];
  return (
    output.confidence.level === "low" &&
    output.verdict === "in_app" &&
    top !== undefined &&
    !output.suspect_commits.some((c) => c.score >= DATED && c.path === top.path)
  );
}

function changeQuestion(shortId: string | null): Question {
  return {
    about: `what changed before ${shortId ?? "this issue"}`,
    message: `${shortId ?? "This issue"}: the evidence is thin and the root cause uncertain. Did it start after a change?`,
    schema: {
      type: "object",
      properties: {
        change: { type: "string", title: "It started after", enum: [...CHANGES] },
        details: {
          type: "string",
          title: "Details (optional)",
          description: "Which deploy, setting, flag, package or file",
          maxLength: DETAILS_MAX,
        },
      },
      required: ["change"],
    },
  };
}

/**
 * Asks what changed when the evidence is thin and returns the feedback message the answer makes (null: not
 * asked, declined, or not a valid answer — then a note says so). `unasked`: the evidence is thin but the
 * client cannot be asked; the caller then says how to give it (whatChangedHint, once the run exists).
 */
export async function askWhatChanged(
  ctx: StageContext,
  ranking: Ranking,
  shortId: string | null,
): Promise<{ message: string | null; notes: string[]; unasked: boolean }> {
  if (!thinEvidence(ranking)) return { message: null, notes: [], unasked: false };
  if (!ctx.ask) return { message: null, notes: [], unasked: true };
  const answer = await ctx.ask(changeQuestion(shortId));
  if (answer === null) return { message: null, notes: [], unasked: false };
  const change = pickOne(answer, "change", CHANGES);
  if (!change)
    return {
      message: null,
      notes: ["The answer about what changed was not one of the choices; it was not used."],
      unasked: false,
    };
  const raw = typeof answer.details === "string" ? answer.details.replace(/\s+/g, " ").trim() : "";
  const details = scrubText(raw.slice(0, DETAILS_MAX), { secrets: ctx.secrets });
  const message =
    change === "nothing I know of"
      ? `Asked what changed: nothing the user knows of${details ? ` (${details})` : ""}.`
      : `Asked what changed: it started after ${change}${details ? `: ${details}` : ""}.`;
  return { message, notes: [], unasked: false };
}

export function whatChangedHint(runId: string): string {
  return `Confidence is low and nothing dates the change: if it started after a deploy or a config change, say so with add_feedback {"run_id": "${runId}", "message": "started after …"}.`;
}
