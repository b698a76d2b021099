import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import type { Client } from "@modelcontextprotocol/client";
import type { Page } from "playwright-core";

/**
 * The browser tests drive the system's Chromium (Debian's `chromium`; `.ci/run` installs it when it can);
 * nothing downloads a browser. `CHROMIUM_PATH` names another one.
 */
export function findChromium(): string | null {
  const named = process.env.CHROMIUM_PATH;
  if (named && existsSync(named)) return named;
  for (const name of ["chromium", "chromium-browser", "google-chrome-stable", "google-chrome"]) {
    try {
      const path = execFileSync("which", [name], { encoding: "utf8" }).trim();
      if (path) return path;
    } catch {
      // not installed under this name
    }
  }
  return null;
}

/**
 * A tiny MCP Apps host: the view's HTML in a sandboxed iframe (scripts only, an opaque origin), and the
 * host side of the postMessage bridge — `ui/initialize`, then the tool's input and result, and the view's
 * `tools/call` requests forwarded to a real MCP client in the test process (`window.mcpCall`). Every call
 * the view makes is recorded in `window.viewCalls`.
 */
const HOST_PAGE = `<!doctype html><html><head><meta charset="utf-8"><style>body{margin:0}iframe{border:0;width:100%;height:2400px}</style></head>
<body><iframe id="view" sandbox="allow-scripts"></iframe><script>
window.viewCalls = [];
window.startView = (html, toolInput, toolResult) => {
  const frame = document.getElementById("view");
  const send = (m) => frame.contentWindow.postMessage({ jsonrpc: "2.0", ...m }, "*");
  window.addEventListener("message", async (event) => {
    if (event.source !== frame.contentWindow) return;
    const m = event.data;
    if (m.method === "ui/initialize") {
      send({ id: m.id, result: { protocolVersion: "2026-01-26", hostInfo: { name: "test-host", version: "1" },
        hostCapabilities: { serverTools: {} }, hostContext: { theme: "light", displayMode: "inline" } } });
    } else if (m.method === "ui/notifications/initialized") {
      send({ method: "ui/notifications/tool-input", params: { arguments: toolInput } });
      send({ method: "ui/notifications/tool-result", params: toolResult });
    } else if (m.method === "tools/call") {
      window.viewCalls.push(m.params);
      try { send({ id: m.id, result: await window.mcpCall(m.params.name, m.params.arguments) }); }
      catch (e) { send({ id: m.id, error: { code: -32603, message: String(e && e.message || e) } }); }
    } else if (m.id !== undefined && m.method) {
      send({ id: m.id, error: { code: -32601, message: "not supported by the test host" } });
    }
  });
  frame.srcdoc = html;
};
</script></body></html>`;

export async function openHost(page: Page, client: Client): Promise<void> {
  await page.exposeFunction("mcpCall", (name: string, args: Record<string, unknown>) =>
    client.callTool({ name, arguments: args }),
  );
  await page.setContent(HOST_PAGE);
}

/** Reads the view's HTML as a host would (`resources/read` of the tool's `_meta.ui.resourceUri`). */
export async function viewHtml(client: Client, toolName: string): Promise<string> {
  const { tools } = await client.listTools();
  const uri = (tools.find((t) => t.name === toolName)?._meta as { ui?: { resourceUri?: string } })?.ui
    ?.resourceUri;
  if (!uri) throw new Error(`${toolName} names no MCP Apps view`);
  const { contents } = await client.readResource({ uri });
  const content = contents[0] as { mimeType?: string; text?: string };
  if (content?.mimeType !== "text/html;profile=mcp-app" || !content.text)
    throw new Error(`${uri} is not an MCP App`);
  return content.text;
}
