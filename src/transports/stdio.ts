import { serveStdio as serveSdkStdio } from "@modelcontextprotocol/server/stdio";
import type { Context } from "../context.ts";
import { createServer } from "../server.ts";

/**
 * stdio: the client spawned us; stdout carries only protocol messages. The SDK's entry decides the era from
 * the client's opening (2025 `initialize`, or a 2026-07-28 request) and builds this connection's server for
 * it. Resolves `closed` when the client goes away.
 */
export async function serveStdio(
  context: Context,
): Promise<{ closed: Promise<void>; close(): Promise<void> }> {
  let resolveClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  process.stdin.once("end", () => resolveClosed());
  process.stdin.once("close", () => resolveClosed());
  const handle = serveSdkStdio(({ era }) => createServer(context, { era, runUpdates: "instance" }), {
    onerror: (error) => context.logger.warn("stdio transport error", { error }),
  });
  context.logger.info("serving MCP over stdio");
  return {
    closed,
    close: async () => {
      await handle.close();
      resolveClosed();
    },
  };
}
