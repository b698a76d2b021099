import { createHash } from "node:crypto";
import {
  CLIENT_CAPABILITIES_META_KEY,
  type ClientCapabilities,
  type InputRequiredResult,
  inputRequired,
  inputResponse,
  type McpServer,
  type ServerContext,
} from "@modelcontextprotocol/server";
import { type Answer, AwaitingAnswer, type Context, type Question } from "../context.ts";
import type { Era } from "./errors.ts";

/**
 * The one place that knows how a stage's question reaches the person: an MCP elicitation form, asked only of
 * a client that declared form elicitation. Two ways, one per protocol era:
 * - 2025 (a session): the form is sent as a request on the tool call's own stream and the call waits for the
 *   answer. A stateless HTTP request never declared anything (no initialize precedes it), so it is never
 *   asked a question whose answer could not come back.
 * - 2026-07-28 (no server-to-client requests): the call ends with an input-required result carrying the form;
 *   the client asks the person and retries the call with the answer, and the stage runs again up to the
 *   same question, which this time has its answer (see StageContext.ask).
 * A decline, a cancel, a timeout or a failed request is no answer, never an error.
 */
export type Asker = (question: Question, logger: Context["logger"]) => Promise<Answer | null>;

/** How long a question waits for its answer on a 2025 session; then the call goes on as if declined. */
const ANSWER_WAIT_MS = 5 * 60_000;

/** The key of the one question of a round, in inputRequests and inputResponses. */
const KEY = "question";

export function clientQuestions(server: McpServer, ctx: ServerContext, era: Era): Asker | undefined {
  if (era === "modern") {
    const declared = ctx.mcpReq.envelope?.[CLIENT_CAPABILITIES_META_KEY as never] as
      | ClientCapabilities
      | undefined;
    return formElicitation(declared) ? answeredOnRetry(ctx) : undefined;
  }
  return formElicitation(server.server.getClientCapabilities()) ? askedInCall(ctx) : undefined;
}

/** Form mode is what a client that declares `elicitation: {}` supports; one that lists only `url` does not. */
function formElicitation(capabilities: ClientCapabilities | undefined): boolean {
  const elicitation = capabilities?.elicitation;
  return !!elicitation && !(elicitation.form === undefined && elicitation.url !== undefined);
}

function askedInCall(ctx: ServerContext): Asker {
  return async (question, logger) => {
    try {
      const result = await ctx.mcpReq.elicitInput(
        { mode: "form", message: question.message, requestedSchema: question.schema },
        { timeout: ANSWER_WAIT_MS },
      );
      logger.info("question answered", { action: result.action });
      return result.action === "accept" ? (result.content ?? {}) : null;
    } catch (error) {
      logger.warn("question not answered", { error });
      return null;
    }
  };
}

/**
 * The request state names the question that was asked (a digest of what it is about and its form, not of
 * its wording, which may list what the server knew at the time), so an answer counts only for that question:
 * a retry that reaches another question (the evidence moved) asks it instead. The
 * state grants nothing: the answer it admits is checked as user input wherever it is used (a repository
 * against the allowlist, a file against the frame's candidates), so it needs no signature.
 */
function answeredOnRetry(ctx: ServerContext): Asker {
  const askedBefore = ctx.mcpReq.requestState();
  return async (question, logger) => {
    const id = questionId(question);
    if (askedBefore === id) {
      const view = inputResponse(ctx.mcpReq.inputResponses, KEY);
      if (view.kind === "elicit") {
        logger.info("question answered", { action: view.action });
        return view.action === "accept" ? (view.content ?? {}) : null;
      }
    }
    throw new AwaitingAnswer(question, id);
  };
}

export function questionId(question: Question): string {
  return createHash("sha256")
    .update(JSON.stringify([question.about, question.schema]))
    .digest("base64url")
    .slice(0, 22);
}

/** The call's result while the person answers (2026-07-28): the form, and which question it is. */
export function awaitingInput(waiting: AwaitingAnswer): InputRequiredResult {
  return inputRequired({
    inputRequests: {
      [KEY]: inputRequired.elicit({
        mode: "form",
        message: waiting.question.message,
        requestedSchema: waiting.question.schema,
      }),
    },
    requestState: waiting.id,
  });
}
