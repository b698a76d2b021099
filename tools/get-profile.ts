import { z } from "zod";
import { summarizeProfile } from "../src/analysis/profile.ts";
import { profileOutputShape } from "../src/contract/profile.ts";
import { inputError } from "../src/errors.ts";
import { renderProfile } from "../src/format/profile.ts";
import { issueAndEvent, resolveReference } from "../src/sentry/issue-ref.ts";
import { projectSlug } from "../src/sentry/paths.ts";
import { profileForEvent } from "../src/sentry/profile-source.ts";
import { fetchFlamegraph, fetchTransactionProfile, type ProfileData } from "../src/sentry/profiles.ts";
import { projectId } from "../src/sentry/projects.ts";
import { defineTool } from "../src/tool.ts";
import { eventInput, issueInput, organizationInput, projectInput } from "../src/tool-inputs.ts";

export const getProfile = defineTool({
  name: "get_profile",
  title: "Get a performance profile",
  description:
    "Hot call paths and the top functions by self and total time, from a profile ID, an issue's linked profile, or a transaction's aggregated flamegraph. Use it for slow endpoints and performance issues.",
  summary:
    "Hot paths (root → leaf, application frames marked) and top functions by self and total time with file:line — from a transaction profile, a continuous-profiling chunk linked to an event, or a transaction's aggregated flamegraph.",
  example: { transaction: "GET /v1/orders", project: "orders-api" },
  inputSchema: {
    profile_id: z.string().max(64).optional().describe("Transaction profile ID (needs project)"),
    transaction: z.string().max(300).optional().describe("Transaction name: its aggregated flamegraph"),
    issue: issueInput.optional(),
    event: eventInput,
    project: projectInput.describe("Project slug"),
    organization: organizationInput,
  },
  outputSchema: profileOutputShape,
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  async handler(input, ctx) {
    let profile: ProfileData | null = null;
    let source: string;
    if (input.event && !input.issue)
      throw inputError(
        "event picks one of an issue's events: pass issue with it.",
        'Example: {"issue": "ORDERS-API-7D", "event": "latest"}',
      );
    if (input.issue) {
      const reference = await resolveReference(ctx.sentry, input, ctx.signal);
      const { issue, event } = await issueAndEvent(ctx.sentry, reference.org, reference.issue!, ctx.signal);
      const found = await profileForEvent(ctx.sentry, reference.org, issue, event, {
        now: ctx.clock.now(),
        signal: ctx.signal,
      });
      if (!found)
        throw inputError(
          `no profile is linked to ${issue.shortId ?? issue.id}'s event, and its transaction has no profiles.`,
          "Profiling may be off for this project; get_trace shows the slow spans instead.",
        );
      ({ profile, source } = found);
    } else if (input.profile_id) {
      if (!input.project)
        throw inputError(
          "profile_id needs project (the project slug).",
          'Example: {"profile_id": "…", "project": "orders-api"}',
        );
      const org = await ctx.sentry.org(input.organization, ctx.signal);
      source = `transaction profile \`${input.profile_id}\``;
      const project = projectSlug(input.project);
      profile = await fetchTransactionProfile(ctx.sentry, org, project, input.profile_id, ctx.signal);
    } else if (input.transaction) {
      const org = await ctx.sentry.org(input.organization, ctx.signal);
      const ids = input.project
        ? [await projectId(ctx.sentry, org, projectSlug(input.project), ctx.signal)]
        : [];
      source = `flamegraph of transaction ${input.transaction}`;
      profile = await fetchFlamegraph(ctx.sentry, org, input.transaction, ids, ctx.signal);
      if (!profile)
        throw inputError(
          `no profiles were found for transaction "${input.transaction}" in the last 14 days.`,
          "Check the exact transaction name (get_issue shows it), or the project.",
        );
    } else {
      throw inputError(
        "pass issue, transaction, or profile_id with project.",
        'Example: {"issue": "ORDERS-API-7D"}',
      );
    }
    return renderProfile(profile, summarizeProfile(profile), source, ctx.toolNames);
  },
});
