import { connectedRepository, githubSlug } from "../code/connected.ts";
import type { Context, StageContext } from "../context.ts";
import { configError } from "../errors.ts";
import { scrubText } from "../text/scrub.ts";
import { checkAgentState } from "./agent-urls.ts";
import { createDispatcher } from "./targets.ts";
import type { DispatchRequest, TargetConfig } from "./types.ts";

/**
 * Sends a brief to a background agent exactly once. The dispatch is recorded ("sending") before the
 * upstream call; a record that already has the agent's ID is reused without calling again; a record left
 * "sending" by a crash is retried through the dispatcher, which adopts the agent it may already have started.
 */
export async function dispatchBrief(
  ctx: StageContext,
  input: {
    target: TargetConfig;
    runId: string;
    org: string;
    jobId: string | null;
    request: Omit<DispatchRequest, "dispatchId" | "callbackUrl">;
  },
): Promise<{ status: string; url: string | null; prUrl: string | null; adopted: boolean }> {
  // Defence in depth: whatever built the request, the brief and our token go only to a connected repository.
  const repo = connectedRepository(ctx.repos, ctx.config.allowedRepositories, input.request.repository);
  if (githubSlug(repo)?.toLowerCase() !== input.request.repository.toLowerCase())
    throw configError(
      `repository "${input.request.repository}" is not the GitHub repository of ${repo.name}.`,
      'Background agents work on GitHub repositories: configure the repository with "github": "owner/name".',
    );
  const queue = ctx.queue();
  const id = dispatchIdFor(input.runId, input.target.name, input.request.repository);
  const record = queue.beginDispatch({
    id,
    runId: input.runId,
    jobId: input.jobId,
    org: input.org,
    target: input.target.name,
    type: input.target.type,
    repository: input.request.repository,
  });
  if (record.externalId && record.status !== "sending")
    return { status: record.status, url: record.url, prUrl: record.prUrl, adopted: true };
  const dispatcher = createDispatcher(input.target, {
    logger: ctx.logger.child({ target: input.target.name }),
    now: () => ctx.clock.now(),
  });
  // The token binds a callback to this one dispatch: a receiver of another target, or anyone who read a
  // brief (dispatch IDs are printed in it), cannot report on it.
  const token = record.callbackToken ? `?token=${record.callbackToken}` : "";
  const callbackUrl = ctx.config.publicUrl
    ? `${ctx.config.publicUrl}/webhooks/${input.target.type}${token}`
    : null;
  // What leaves for an agent is scrubbed like every tool output (secret shapes and our own tokens).
  const scrub = (text: string) => scrubText(text, { secrets: ctx.secrets });
  const request = {
    ...input.request,
    brief: scrub(input.request.brief),
    prTitle: scrub(input.request.prTitle),
    prBody: scrub(input.request.prBody),
  };
  const sent = await dispatcher.dispatch({ ...request, dispatchId: id, callbackUrl }, ctx.signal);
  const checked = checkAgentState(
    { status: sent.status, url: sent.url, prUrl: sent.prUrl, summary: null },
    { repository: input.request.repository, githubApiUrl: ctx.config.github.apiUrl },
  );
  if (checked.problems.length > 0)
    ctx.logger.warn("agent links refused", { target: input.target.name, problems: checked.problems });
  const result = { ...sent, url: checked.state.url, prUrl: checked.state.prUrl };
  queue.updateDispatch(id, {
    externalId: result.externalId,
    status: result.status,
    url: result.url,
    prUrl: result.prUrl,
  });
  ctx.logger.info("dispatched", {
    run: input.runId,
    target: input.target.name,
    external: result.externalId,
    adopted: result.adopted,
  });
  return { status: result.status, url: result.url, prUrl: result.prUrl, adopted: result.adopted };
}

/** A dispatch's ID and idempotency key: one per run, target and repository. */
export function dispatchIdFor(runId: string, target: string, repository: string): string {
  return `${runId}:${target}:${repository}`;
}

export function resolveTarget(ctx: Pick<Context, "config">, name: string): TargetConfig {
  const target = ctx.config.handoff.targets.find((t) => t.name === name);
  if (!target) {
    const known = ["chat", ...ctx.config.handoff.targets.map((t) => t.name)];
    throw configError(
      `handoff target "${name}" is not configured on this server.`,
      `Use one of: ${known.join(", ")} (configure more under handoff.targets in the config file).`,
    );
  }
  return target;
}

/** The target for a project or repository: the first matching route, else the default target. */
export function routeTarget(
  ctx: Pick<Context, "config">,
  project: string,
  repository: string | null,
): TargetConfig | null {
  const { routes, defaultTarget } = ctx.config.handoff;
  const route = routes.find(
    (r) => r.projects.includes(project) || (repository !== null && r.repositories.includes(repository)),
  );
  const name = route?.target ?? defaultTarget;
  return name ? (ctx.config.handoff.targets.find((t) => t.name === name) ?? null) : null;
}
