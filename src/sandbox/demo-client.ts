import { resolve } from "node:path";
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";

/**
 * `npm run demo`: starts `autofix-mcp --demo` as a real MCP client would (over stdio), then walks the bundled
 * sample incident and prints what the agent would see. No Sentry account needed.
 */
const bin = resolve(import.meta.dirname, "../bin.js");
const out = (text: string) => process.stdout.write(`${text}\n`);

async function main(): Promise<void> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [bin, "--demo", "--log-level", "warn"],
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", AUTOFIX_DB: ":memory:" },
    stderr: "inherit",
  });
  const client = new Client(
    { name: "autofix-demo", version: "1.0.0" },
    { versionNegotiation: { mode: "auto" } },
  );
  await client.connect(transport);
  const { tools } = await client.listTools();
  const server = client.getServerVersion();
  const protocol = client.getNegotiatedProtocolVersion();
  out(`Connected to ${server?.name} ${server?.version} over stdio (MCP ${protocol}).`);
  out(`Tools: ${tools.map((t) => t.name).join(", ")}\n`);

  const call = async (name: string, args: Record<string, unknown>) => {
    out(`━━━ ${name} ${JSON.stringify(args)} ${"━".repeat(40)}\n`);
    const result = await client.callTool({ name, arguments: args });
    for (const block of result.content as Array<{ type: string; text?: string }>)
      if (block.text) out(block.text);
    out("");
    if (result.isError) throw new Error(`${name} failed; see above.`);
    return result.structuredContent as Record<string, unknown> | undefined;
  };

  // Context: what an agent reads first.
  await call("search_issues", { sort: "freq" });
  await call("get_issue", { issue: "ORDERS-API-7A" });
  await call("get_trace", { issue: "ORDERS-API-7A" });
  await call("search_logs", { issue: "ORDERS-API-7A" });
  await call("get_profile", { issue: "ORDERS-API-7D" });
  await call("get_rules", { repo: "acme/orders-api", paths: ["src/pricing/discounts.ts"] });

  // The fix: root cause → plan → brief for the coding agent in the chat.
  const rootCause = await call("analyze_root_cause", { issue: "ORDERS-API-7A" });
  const runId = String(rootCause?.run_id ?? "");
  if (!runId) throw new Error("analyze_root_cause returned no run_id.");
  await call("propose_solution", { run_id: runId });
  await call("hand_off", { run_id: runId, target: "chat" });
  out(
    `The run is stored as ${runId}: get_run shows it, and autofix://runs/${runId} serves it as a resource.`,
  );
  await client.close();
}

main().catch((error) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.stack : error}\n`);
  process.exit(1);
});
