import type { Logger } from "../log.ts";
import type { TargetType } from "./targets.ts";

/**
 * Background coding agents behind one interface. A dispatcher launches an agent with the coding brief and
 * reports its state. Launching must be idempotent per `dispatchId`: after a crash between the upstream call
 * and recording its result, dispatching again must find and adopt the agent it already started (by the
 * marker the dispatcher embeds) instead of starting a second one.
 */

export type DispatchStatus = "queued" | "running" | "completed" | "failed";

export type { TargetType } from "./targets.ts";

export interface TargetConfig {
  /** The name the config and tools use, e.g. "cursor". */
  name: string;
  type: TargetType;
  /** API base URL (Cursor: https://api.cursor.com; GitHub: https://api.github.com or GITHUB_API_URL). */
  apiUrl: string;
  /** The credential, already read from the environment variable the config names. */
  token: string | null;
  /** Secret for signing (webhook target) or for the agent's status webhooks (Cursor, ≥ 32 chars). */
  secret: string | null;
  /** Webhook target: where to POST the brief. */
  url: string | null;
  /** Optional model for agents that accept one. */
  model: string | null;
}

export interface DispatchRequest {
  /** Stable per run, target and repository; the idempotency key. */
  dispatchId: string;
  runId: string;
  shortId: string;
  brief: string;
  prTitle: string;
  prBody: string;
  branch: string;
  baseBranch: string | null;
  /** owner/name on GitHub. */
  repository: string;
  autoCreatePr: boolean;
  /** Our public URL for the agent's status callbacks (`…/webhooks/<target type>`), when the server has one. */
  callbackUrl: string | null;
}

export interface DispatchResult {
  externalId: string;
  status: DispatchStatus;
  /** Where a human can follow the agent (agent page, GitHub issue, task). */
  url: string | null;
  prUrl: string | null;
  /** True when an agent started earlier for this dispatchId was found instead of starting a new one. */
  adopted: boolean;
}

export interface DispatchState {
  status: DispatchStatus;
  url: string | null;
  prUrl: string | null;
  summary: string | null;
}

export interface Dispatcher {
  readonly type: TargetType;
  readonly target: string;
  dispatch(request: DispatchRequest, signal?: AbortSignal): Promise<DispatchResult>;
  /** The agent's current state (polling); targets that only report by webhook may return the last known state. */
  status(externalId: string, request: DispatchRequest, signal?: AbortSignal): Promise<DispatchState>;
}

export interface DispatcherDeps {
  logger: Logger;
  now?: () => number;
}

/** A verified status callback from an agent: which agent, and its new state. */
export interface AgentCallback {
  externalId: string;
  state: DispatchState;
}
