import { z } from "zod";
import { renderIssue } from "../src/format/issue.ts";
import { issueOutputShape } from "../src/format/issue-schema.ts";
import { loadIssueBundle } from "../src/sentry/issue-bundle.ts";
import { resolveRef } from "../src/sentry/issue-ref.ts";
import { defineTool } from "../src/tool.ts";

export const getIssue = defineTool({
  name: "get_issue",
  title: "Get a Sentry issue",
  description: `Show a Sentry issue and one of its events: the exception chain (origin first), the in-app frames nearest the throw site with their source code, the breadcrumbs just before the error, the request, tag distributions, the release and Sentry's suspect commits, counts, first/last seen, and a summary of the trace with links to it and the profile.
Use it first when the user mentions a Sentry issue or pastes a Sentry link. Do not use it to search for issues (use search_issues).
Example: {"issue": "ORDERS-API-7A"} or {"issue": "https://acme.sentry.io/issues/4509062593/", "detail": "full"}`,
  inputSchema: {
    issue: z
      .string()
      .min(1)
      .max(2000)
      .describe("Short ID (ORDERS-API-7A), numeric issue ID, or a Sentry issue/event URL"),
    event: z
      .string()
      .max(64)
      .optional()
      .describe('"recommended" (default), "latest", "oldest", or a 32-character event ID'),
    detail: z
      .enum(["brief", "full"])
      .optional()
      .describe('"brief" (default) or "full": every frame, breadcrumb and header, still bounded'),
    organization: z
      .string()
      .max(100)
      .optional()
      .describe("Organization slug, when the server has no default and the issue is not a URL"),
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
