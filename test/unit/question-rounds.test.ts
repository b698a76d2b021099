import {
  CLIENT_CAPABILITIES_META_KEY,
  type McpServer,
  type ServerContext,
} from "@modelcontextprotocol/server";
import { describe, expect, it } from "vitest";
import { AwaitingAnswer, type Question } from "../../src/context.ts";
import { createLogger } from "../../src/log.ts";
import { awaitingInput, clientQuestions, questionId } from "../../src/server/questions.ts";

/**
 * The 2026-07-28 rounds of one question, at the seam: the first round ends with the form, the retry's answer
 * counts only for the question its request state names, and a question reworded between rounds (a hint that
 * lists what the server knew) is still the same question.
 */

const logger = createLogger("silent");
const server = {} as McpServer;

const question = (known: string): Question => ({
  about: "repository serving project loyalty",
  message: `No repository is connected for Sentry project loyalty. Which repository serves it? Known: ${known}.`,
  schema: {
    type: "object",
    properties: { repository: { type: "string", title: "Repository" } },
    required: ["repository"],
  },
});

/** A 2026-07-28 request as the SDK hands it to the handler: envelope, request state, input responses. */
function request(
  state?: string,
  responses?: Record<string, unknown>,
  capabilities: object = { elicitation: {} },
) {
  return {
    mcpReq: {
      envelope: { [CLIENT_CAPABILITIES_META_KEY]: capabilities },
      requestState: () => state,
      inputResponses: responses,
    },
  } as unknown as ServerContext;
}

async function pending(ask: ReturnType<typeof clientQuestions>, q: Question): Promise<AwaitingAnswer> {
  const error = await ask!(q, logger).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AwaitingAnswer);
  return error as AwaitingAnswer;
}

describe("a question on 2026-07-28", () => {
  it("ends the first round with the form, and names it in the request state", async () => {
    const waiting = await pending(clientQuestions(server, request(), "modern"), question("a, b"));
    const result = awaitingInput(waiting) as unknown as {
      inputRequests: Record<string, { method: string; params: { message: string } }>;
      requestState: string;
    };
    expect(result.requestState).toBe(questionId(question("a, b")));
    expect(result.inputRequests.question?.method).toBe("elicitation/create");
    expect(result.inputRequests.question?.params.message).toContain("Known: a, b.");
  });

  it("takes the retry's answer for the same question, reworded or not", async () => {
    const state = questionId(question("a, b"));
    const answer = { question: { action: "accept", content: { repository: "/srv/loyalty" } } };
    const ask = clientQuestions(server, request(state, answer), "modern");
    expect(await ask!(question("a, b, c"), logger)).toEqual({ repository: "/srv/loyalty" });
  });

  it("reads a decline as no answer, not an error", async () => {
    const state = questionId(question("a"));
    const ask = clientQuestions(server, request(state, { question: { action: "decline" } }), "modern");
    expect(await ask!(question("a"), logger)).toBeNull();
  });

  it("asks again when the retry answers another question than the one it reaches", async () => {
    const other: Question = { ...question("a"), about: "repository serving project orders" };
    const answer = { question: { action: "accept", content: { repository: "/srv/orders" } } };
    const ask = clientQuestions(server, request(questionId(other), answer), "modern");
    await pending(ask, question("a"));
    // An answer with no request state naming its question is not taken either.
    await pending(clientQuestions(server, request(undefined, answer), "modern"), question("a"));
  });

  it("asks no client that did not declare form elicitation", () => {
    expect(clientQuestions(server, request(undefined, undefined, {}), "modern")).toBeUndefined();
    expect(
      clientQuestions(server, request(undefined, undefined, { elicitation: { url: {} } }), "modern"),
    ).toBeUndefined();
  });
});
