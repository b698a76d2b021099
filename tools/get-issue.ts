import { z } from "zod";
import { issueOutputShape } from "../src/contract/issue.ts";
import { renderIssue } from "../src/format/issue.ts";
import { loadIssueBundle } from "../src/sentry/issue-bundle.ts";
import { resolveRef } from "../src/sentry/issue-ref.ts";
import { defineTool } from "../src/tool.ts";
import { eventInput, issueInput, organizationInput } from "../src/tool-inputs.ts";

export const getIssue = defineTool({
  name: "get_issue",
  title: "Get a Sentry issue",
  description:
    "A Sentry issue and one of its events: exception chain, in-app frames with source, breadcrumbs, request, tags, release, suspect commits and a trace summary. Use it first when the user names an issue or pastes a Sentry link; to find issues, use search_issues.",
  summary:
    'A Sentry issue and one event: exception chain (origin first), in-app frames nearest the throw with source, breadcrumbs, request, tag distributions, release and suspect commits, counts, and a trace summary. `detail: "full"` shows every frame, breadcrumb and header, still bounded.',
  example: { issue: "ORDERS-API-7A" },
  inputSchema: {
    issue: issueInput.describe("Short ID (ORDERS-API-7A), numeric ID, or a Sentry issue or event URL"),
    event: eventInput,
    detail: z
      .enum(["brief", "full"])
      .optional()
      .describe('"brief" (default) or "full": every frame, breadcrumb and header'),
    organization: organizationInput,
  },
  outputSchema: issueOutputShape,
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  async handler(input, ctx) {
    const { org, ref, selector } = await resolveRef(ctx.sentry, input, ctx.signal);
    const bundle = await loadIssueBundle(ctx.sentry, org, ref.id, selector, ctx.logger, ctx.signal);
    const view = renderIssue({
      ...bundle,
      eventSelector: selector,
      detail: input.detail ?? "brief",
      now: ctx.clock.now(),
      tools: ctx.toolNames,
    });
    return { markdown: view.markdown, structured: view.structured };
  },
});
