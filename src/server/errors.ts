import {
  type JSONRPCMessage,
  type McpServer,
  ProtocolError,
  ProtocolErrorCode,
  type Transport,
} from "@modelcontextprotocol/server";
import type { Context } from "../context.ts";
import { describeError, NotFoundError } from "../errors.ts";
import { scrubText } from "../text/scrub.ts";

/** The protocol era a server instance serves (see src/server.ts). */
export type Era = "legacy" | "modern";

/**
 * MCP's "resource not found": -32002 with `data: {uri, kind}` on the 2025 revisions (what this server always
 * answered); on 2026-07-28 -32602 with `data: {uri}` alone, which the spec requires and by which SDK clients
 * recognise it.
 */
export function resourceNotFound(era: Era, message: string, uri: string, kind: string): ProtocolError {
  return era === "modern"
    ? new ProtocolError(ProtocolErrorCode.InvalidParams, message, { uri })
    : new ProtocolError(ProtocolErrorCode.ResourceNotFound, message, { uri, kind });
}

/**
 * The SDK sends every "resource not found" as -32602, as 2026-07-28 requires; to 2025-era clients this server
 * keeps answering -32002, as their revision says and this server always did. Our not-found errors are the
 * only ones that carry `data.uri`.
 */
export function keepNotFoundCode(server: McpServer): void {
  const connect = server.connect.bind(server);
  server.connect = async (transport: Transport) => {
    const send = transport.send.bind(transport);
    transport.send = (message, options) => send(withNotFoundCode(message), options);
    return connect(transport);
  };
}

function withNotFoundCode(message: JSONRPCMessage): JSONRPCMessage {
  if (!("error" in message) || message.error.code !== ProtocolErrorCode.InvalidParams) return message;
  const data = message.error.data as { uri?: unknown } | undefined;
  if (typeof data?.uri !== "string") return message;
  return { ...message, error: { ...message.error, code: ProtocolErrorCode.ResourceNotFound } };
}

/**
 * Prompts and resources fail as JSON-RPC errors; their text goes through the same vocabulary as tools', and
 * the code keeps the kind: bad input → -32602, a resource that is not there (`resourceUri` given) → not
 * found, configuration, upstream and our own failures → -32603. `data.kind` names the kind.
 */
export async function described<T>(
  context: Context,
  fn: () => Promise<T> | T,
  resourceUri?: string,
  era: Era = "legacy",
): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof ProtocolError) throw error;
    const { kind, text } = describeError(error);
    context.logger[kind === "internal" ? "error" : "warn"]("prompt or resource failed", { kind, error });
    const message = scrubText(text, { secrets: context.secrets });
    if (resourceUri !== undefined && error instanceof NotFoundError)
      throw resourceNotFound(era, message, resourceUri, kind);
    throw new ProtocolError(
      kind === "input" ? ProtocolErrorCode.InvalidParams : ProtocolErrorCode.InternalError,
      message,
      { kind },
    );
  }
}
