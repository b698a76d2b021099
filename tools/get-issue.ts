import { z } from "zod";
import { inputError } from "../src/errors.ts";
import { renderIssue } from "../src/format/issue.ts";
import { issueOutputShape } from "../src/format/issue-schema.ts";
import { assertSameSentry, parseIssueReference } from "../src/sentry/references.ts";
import { defineTool } from "../src/tool.ts";

const TAG_KEYS = [
  "environment",
  "release",
  "transaction",
  "url",
  "browser.name",
  "os.name",
  "runtime.name",
  "device",
  "server_name",
  "handled",
];

export const getIssue = defineTool({
  name: "get_issue",
  title: "Get a Sentry issue",
  description: `Show a Sentry issue and one of its events: the exception chain (origin first), the in-app frames nearest the throw site with their source code, the breadcrumbs just before the error, the request, tag distributions, release, counts, first/last seen, and trace/profile links.
Use it first when the user mentions a Sentry issue or pastes a Sentry link. Do not use it to search for issues (use search_issues when available).
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
    const ref = parseIssueReference(input.issue);
    assertSameSentry(ref, ctx.config.sentry.baseUrl, ctx.config.sentry.saas);
    const selector = normalizeSelector(input.event ?? ref.eventId ?? "recommended");
    const org = await ctx.sentry.org(input.organization ?? ref.org, ctx.signal);
    // Org-scoped issue routes accept short IDs, so the issue, its event and its tags load in one round trip.
    const [issue, event, tags] = await Promise.allSettled([
      ctx.sentry.getIssue(org, ref.id, ctx.signal),
      ctx.sentry.getIssueEvent(org, ref.id, selector, ctx.signal),
      ctx.sentry.getIssueTags(org, ref.id, TAG_KEYS, ctx.signal),
    ]);
    if (issue.status === "rejected") throw issue.reason;
    if (event.status === "rejected") ctx.logger.warn("event unavailable", { error: event.reason });
    if (tags.status === "rejected") ctx.logger.warn("tag distribution unavailable", { error: tags.reason });
    const view = renderIssue({
      issue: issue.value,
      event: event.status === "fulfilled" ? event.value : null,
      eventProblem: event.status === "rejected" ? String((event.reason as Error).message) : null,
      eventSelector: selector,
      tags: tags.status === "fulfilled" ? tags.value : [],
      detail: input.detail ?? "brief",
      now: ctx.clock.now(),
      tools: ctx.toolNames,
    });
    return { markdown: view.markdown, structured: view.structured };
  },
});

function normalizeSelector(value: string): string {
  const v = value.trim().toLowerCase().replace(/-/g, "");
  if (["recommended", "latest", "oldest"].includes(v) || /^[0-9a-f]{32}$/.test(v)) return v;
  throw inputError(
    `event "${value.slice(0, 64)}" is not an event selector.`,
    'Use "recommended", "latest", "oldest", or a 32-character event ID from this issue.',
  );
}
