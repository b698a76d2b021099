import { type McpServer, ProtocolError, ProtocolErrorCode, UriTemplate } from "@modelcontextprotocol/server";
import type { Context } from "../context.ts";
import { resources as allResources } from "../resources/index.ts";
import { described, type Era, resourceNotFound } from "./errors.ts";

/**
 * `resources/read` over the resource registry, so every failure keeps its kind: a URI no template serves,
 * a run or rules file that does not exist → resource not found, with what to do instead; a bad URI →
 * -32602; anything else → -32603. The SDK's own handler would fold these together.
 */
export function answerResourceReads(server: McpServer, context: Context, era: Era): void {
  const templates = allResources.map((r) => ({ resource: r, template: new UriTemplate(r.uriTemplate) }));
  server.server.setRequestHandler("resources/read", async ({ params }) => {
    let uri: URL;
    try {
      uri = new URL(params.uri);
    } catch {
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `${params.uri.slice(0, 200)} is not a URI.`, {
        kind: "input",
      });
    }
    for (const { resource, template } of templates) {
      const variables = template.match(uri.toString());
      if (variables) return described(context, () => resource.read(uri, variables, context), uri.href, era);
    }
    throw resourceNotFound(
      era,
      `Resource not found: ${uri.href.slice(0, 200)}. This server serves ${allResources.map((r) => r.uriTemplate).join(" and ")}; resources/list shows them.`,
      uri.href.slice(0, 2000),
      "input",
    );
  });
}

/**
 * Run updates: a subscriber to `autofix://runs/{id}` hears `notifications/resources/updated` whenever that run
 * changes — a stage, feedback, or a background agent's status and pull request. On the 2025 revisions the
 * client asks with `resources/subscribe` and this instance keeps the list; on 2026-07-28 it names the URIs in
 * `subscriptions/listen` and the SDK's entry filters: this instance (stdio) or the HTTP handler publishes
 * every change.
 */
export function answerSubscriptions(
  server: McpServer,
  context: Context,
  era: Era,
  runUpdates: "instance" | "handler",
): void {
  const watched = new Set<string>();
  server.server.setRequestHandler("resources/subscribe", async ({ params }) => {
    const id = runIdOf(params.uri);
    if (!id)
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        `Resource ${params.uri} cannot be subscribed to: only runs (autofix://runs/{id}) change while you watch.`,
        { kind: "input" },
      );
    const exists = await described(context, () => context.store().getRun(id) !== null);
    if (!exists)
      throw resourceNotFound(
        era,
        `Resource ${params.uri} not found: there is no run ${id}. get_run lists the runs of an issue.`,
        params.uri,
        "input",
      );
    watched.add(id);
    return {};
  });
  server.server.setRequestHandler("resources/unsubscribe", async ({ params }) => {
    const id = runIdOf(params.uri);
    if (id) watched.delete(id);
    return {};
  });
  if (runUpdates === "handler") return;
  const off = context.changes.on((runId) => {
    if (era === "legacy" && !watched.has(runId)) return;
    server.server.sendResourceUpdated({ uri: runUri(runId) }).catch(() => undefined);
  });
  const previous = server.server.onclose;
  server.server.onclose = () => {
    off();
    previous?.();
  };
}

const runIdOf = (uri: string) => /^autofix:\/\/runs\/([A-Za-z0-9_-]+)$/.exec(uri)?.[1] ?? null;

/** The resource URI of a run, as subscribers name it. */
export const runUri = (runId: string) => `autofix://runs/${runId}`;
