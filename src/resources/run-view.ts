import { MCP_APP_MIME, RUN_VIEW_URI, runViewHtml } from "../ui/run-view.ts";
import type { ResourceTemplateDefinition } from "./types.ts";

/**
 * The MCP Apps run view (`ui://autofix/run`): hosts that render apps read it when a tool names it in
 * `_meta.ui.resourceUri`, and show the tool's result in it. `prefersBorder` and the CSP are the spec's
 * `_meta.ui`: the view connects nowhere, it only asks the host to call this server's tools.
 */
export const runViewResource: ResourceTemplateDefinition = {
  name: "run_view",
  uriTemplate: RUN_VIEW_URI,
  metadata: {
    title: "Run view (MCP App)",
    description: "Interactive view of a root cause, trace and plan, for clients that render MCP Apps.",
    mimeType: MCP_APP_MIME,
  },
  async list() {
    return [{ uri: RUN_VIEW_URI, name: "run_view", title: "Run view (MCP App)", mimeType: MCP_APP_MIME }];
  },
  async read(uri) {
    return {
      contents: [
        {
          uri: uri.href,
          mimeType: MCP_APP_MIME,
          text: runViewHtml(),
          _meta: { ui: { csp: { connectDomains: [], resourceDomains: [] }, prefersBorder: true } },
        },
      ],
    };
  },
};
