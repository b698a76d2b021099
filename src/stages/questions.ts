import { checkRepositoryAnswer, repositoryAnswerPossible } from "../code/answered.ts";
import type { FrameLocation } from "../code/frame-files.ts";
import type { Answer, Question, StageContext } from "../context.ts";
import { data } from "../format/markdown.ts";
import type { Frame } from "../sentry/types.ts";

/**
 * Where the evidence runs out, a stage may ask the person behind the client one short form (MCP elicitation,
 * through `ctx.ask`) and go on with the answer: which repository serves a project nothing connects, which of
 * several files a frame means (here), and what changed when confidence is low (root-cause/what-changed.ts).
 * One question per call at most. Without `ask` (a client without elicitation, a background run) nothing is
 * asked, and the result says what is missing and how to supply it. An answer is user input: checked, and a
 * bad one is reported in the result's notes, never thrown.
 */

/** The stage context for one call, whose `ask` goes away once it has been used: one question per call. */
export function oneQuestion(ctx: StageContext): StageContext {
  const ask = ctx.ask;
  if (!ask) return ctx;
  const staged: StageContext = { ...ctx };
  staged.ask = (question: Question) => {
    delete staged.ask;
    return ask(question);
  };
  return staged;
}

const clip = (s: string, max = 120) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);
const forget = (project: string) => `autofix-mcp --forget-repo ${project} forgets it`;

export function repositoryQuestion(project: string, known: string[]): Question {
  const choices = known.length > 0 ? ` Known: ${known.slice(0, 5).join(", ")}.` : "";
  return {
    about: `repository serving project ${project}`,
    message: `No repository is connected for Sentry project ${clip(project, 80)}. Which repository serves it?${choices}`,
    schema: {
      type: "object",
      properties: {
        repository: {
          type: "string",
          title: "Repository",
          description: "Absolute path of a local git checkout, or GitHub owner/name",
          maxLength: 1000,
        },
      },
      required: ["repository"],
    },
  };
}

/**
 * Makes sure the registry knows the repository a person named for the project: the one remembered in the
 * store (checked again: the allowlist may have changed since), or, when nothing connects the project and
 * the client can answer, the one they name now, which is then remembered.
 */
export async function connectProject(
  ctx: StageContext,
  org: string,
  project: string,
  notes: string[],
): Promise<void> {
  const { repos } = ctx;
  const allowed = ctx.config.allowedRepositories;
  let remembered = null;
  try {
    remembered = ctx.store().answers.get(org, project);
  } catch (error) {
    ctx.logger.warn("remembered repositories unavailable", { error });
  }
  repos.answerFor(project, null);
  if (remembered) {
    const checked = checkRepositoryAnswer(repos, allowed, remembered.repository);
    if (checked.ok) {
      repos.answerFor(project, checked.repo);
      notes.push(
        `Repository ${checked.repo.name} serves ${project}, as answered on ${remembered.answeredAt.slice(0, 10)} (${forget(project)}).`,
      );
      return;
    }
    notes.push(
      `The repository answered for ${project} (${clip(remembered.repository)}) is no longer usable: ${checked.reason}; ${forget(project)}.`,
    );
  }
  if (!ctx.ask || !repositoryAnswerPossible(repos, allowed)) return;
  const { repositories } = await repos
    .forProject(org, project, ctx.signal)
    .catch(() => ({ repositories: [] }));
  if (repositories.length > 0) return;
  const answer = await ctx.ask(
    repositoryQuestion(
      project,
      repos.all().map((r) => r.name),
    ),
  );
  if (answer === null) return;
  const checked = checkRepositoryAnswer(
    repos,
    allowed,
    typeof answer.repository === "string" ? answer.repository : "",
  );
  if (!checked.ok) {
    notes.push(`The repository you named for ${project} was not used: ${checked.reason}.`);
    return;
  }
  repos.answerFor(project, checked.repo);
  try {
    ctx.store().answers.remember({ org, project, repository: checked.repository, kind: checked.kind });
  } catch (error) {
    ctx.logger.warn("could not remember the repository answer", { error });
  }
  notes.push(
    `Repository ${checked.repo.name} serves ${project}, as you answered; later analyses use it too (${forget(project)}).`,
  );
}

/** In-app frames nearest the throw site that a file question may be about: a wrong file there misleads most. */
const FRAMES_WORTH_ASKING = 3;

/**
 * The innermost in-app frames (nearest the throw) whose path matched several files of one repository: asks
 * which file the first of them means, and settles its location with the answer. Without `ask`, says which
 * frame is ambiguous and how to pin the right file.
 */
export async function settleAmbiguousFrame(
  ctx: StageContext,
  frames: Frame[],
  locations: FrameLocation[],
  notes: string[],
): Promise<void> {
  const inApp = frames.map((f, i) => ({ f, loc: locations[i] })).filter((x) => x.f.inApp);
  const near = inApp.slice(-FRAMES_WORTH_ASKING).reverse();
  const open = near.find((x) => x.loc && !x.loc.path && x.loc.within && x.loc.candidates.length > 1);
  if (!open?.loc) return;
  const { f, loc } = open;
  const where = `${f.function ?? "?"}${f.lineNo ? ` (line ${f.lineNo})` : ""}`;
  if (!ctx.ask) {
    notes.push(
      `Frame ${data(where, 100)} matches ${loc.candidates.length} files in ${loc.within}: ${loc.candidates.join(", ")}. add_feedback with path set to the right one pins it.`,
    );
    return;
  }
  const answer = await ctx.ask(fileQuestion(where, loc.candidates));
  if (answer === null) return;
  const chosen = pickOne(answer, "file", loc.candidates);
  if (!chosen) {
    notes.push(
      `The file you chose for frame ${data(where, 100)} is not one of its candidates; it stays open.`,
    );
    return;
  }
  Object.assign(loc, {
    repo: loc.within,
    path: chosen,
    candidates: [chosen],
    reason: `chosen by the user among ${loc.candidates.length} files with the same path suffix`,
  });
  notes.push(`You chose ${chosen} for frame ${data(where, 100)}.`);
}

export function fileQuestion(where: string, candidates: string[]): Question {
  return {
    // The frame's function name is Sentry event text: quoted, scrubbed and cut like any other.
    about: `file of frame ${where}`,
    message: `A stack frame (${data(where, 80)}) matches several files. Which one is it?`,
    schema: {
      type: "object",
      properties: { file: { type: "string", title: "File", enum: candidates.slice(0, 10) } },
      required: ["file"],
    },
  };
}

/** The answer's value for `key` when it is one of `choices`; null otherwise. */
export function pickOne(answer: Answer, key: string, choices: readonly string[]): string | null {
  const value = answer[key];
  return typeof value === "string" && choices.includes(value) ? value : null;
}
