import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { Context } from "../context.ts";
import { createServer } from "../server.ts";

/** stdio: the client spawned us; stdout carries only protocol messages. Resolves when the client goes away. */
export async function serveStdio(
  context: Context,
): Promise<{ closed: Promise<void>; close(): Promise<void> }> {
  const server = createServer(context);
  const transport = new StdioServerTransport();
  let resolveClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  transport.onclose = () => resolveClosed();
  process.stdin.once("end", () => resolveClosed());
  process.stdin.once("close", () => resolveClosed());
  await server.connect(transport);
  context.logger.info("serving MCP over stdio");
  return {
    closed,
    close: async () => {
      await server.close();
      resolveClosed();
    },
  };
}
