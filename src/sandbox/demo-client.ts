import { resolve } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

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
  const client = new Client({ name: "autofix-demo", version: "1.0.0" });
  await client.connect(transport);
  const { tools } = await client.listTools();
  out(`Connected to ${client.getServerVersion()?.name} ${client.getServerVersion()?.version} over stdio.`);
  out(`Tools: ${tools.map((t) => t.name).join(", ")}\n`);

  const steps: Array<[string, Record<string, unknown>]> = [
    ["search_issues", { sort: "freq" }],
    ["get_issue", { issue: "ORDERS-API-7A" }],
    ["get_trace", { issue: "ORDERS-API-7A" }],
    ["search_logs", { issue: "ORDERS-API-7A" }],
    ["get_profile", { issue: "ORDERS-API-7D" }],
  ];
  for (const [name, args] of steps) {
    out(`━━━ ${name} ${JSON.stringify(args)} ${"━".repeat(40)}\n`);
    const result = await client.callTool({ name, arguments: args });
    for (const block of result.content as Array<{ type: string; text?: string }>)
      if (block.text) out(block.text);
    out("");
  }
  await client.close();
}

main().catch((error) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.stack : error}\n`);
  process.exit(1);
});
