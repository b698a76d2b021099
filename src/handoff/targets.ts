import { claudeActionDispatcher } from "./claude-action.ts";
import { copilotDispatcher } from "./copilot.ts";
import { cursorDispatcher, verifyCursorWebhook } from "./cursor.ts";
import type { AgentCallback, Dispatcher, DispatcherDeps, TargetConfig } from "./types.ts";
import { verifyAutofixCallback, webhookDispatcher } from "./webhook.ts";

/**
 * The kinds of background coding agent, as data: one entry per kind says how the config fills in a target
 * (API base and credential when not given, what else it needs), how to dispatch to it, and whether it calls
 * back on `POST /webhooks/<type>` or is polled. The config schema, the dispatcher, the webhook routes and
 * the worker's status polling all read this table: a new kind is its dispatcher file and an entry here.
 */
interface TargetKind {
  type: string;
  /** API base when the config gives none; "github" means the configured GitHub API. */
  defaultApiUrl: string;
  /** The environment variable holding the credential when the config names none. */
  defaultTokenEnv: string | null;
  /** The config must give a `url` (where to send the brief). */
  needsUrl: boolean;
  create(target: TargetConfig, deps: DispatcherDeps): Dispatcher;
  /** The worker asks the agent for its state until it finishes (the dispatcher's `status`). */
  polled: boolean;
  /**
   * Verifies a status callback on `POST /webhooks/<type>` (HMAC over the raw body) and reads the agent's
   * state from it, for kinds that call back.
   */
  verifyCallback?: (
    raw: Buffer,
    headers: Record<string, string | string[] | undefined>,
    secret: string,
    nowSeconds: number,
  ) => AgentCallback;
}

export const TARGET_KINDS = [
  {
    type: "cursor",
    defaultApiUrl: "https://api.cursor.com",
    defaultTokenEnv: "CURSOR_API_KEY",
    needsUrl: false,
    create: cursorDispatcher,
    // Cursor calls back when the target has a webhook secret, and is polled either way.
    polled: true,
    verifyCallback: (raw, headers, secret) => verifyCursorWebhook(raw, headers, secret),
  },
  {
    type: "copilot",
    defaultApiUrl: "github",
    defaultTokenEnv: "GITHUB_TOKEN",
    needsUrl: false,
    create: copilotDispatcher,
    polled: true,
  },
  {
    type: "claude_action",
    defaultApiUrl: "github",
    defaultTokenEnv: "GITHUB_TOKEN",
    needsUrl: false,
    create: claudeActionDispatcher,
    polled: true,
  },
  {
    type: "webhook",
    defaultApiUrl: "",
    defaultTokenEnv: null,
    needsUrl: true,
    create: webhookDispatcher,
    // A webhook receiver reports back on /webhooks/webhook; there is nothing to poll.
    polled: false,
    verifyCallback: verifyAutofixCallback,
  },
] as const satisfies readonly TargetKind[];

export type TargetType = (typeof TARGET_KINDS)[number]["type"];

export const TARGET_TYPES = TARGET_KINDS.map((k) => k.type) as [TargetType, ...TargetType[]];

export function targetKind(type: TargetType): TargetKind {
  return TARGET_KINDS.find((k) => k.type === type)!;
}

/** The dispatcher for a configured target; a missing credential is a configuration error naming it. */
export function createDispatcher(target: TargetConfig, deps: DispatcherDeps): Dispatcher {
  return targetKind(target.type).create(target, deps);
}

export type CallbackKind = TargetKind & { verifyCallback: NonNullable<TargetKind["verifyCallback"]> };

/** The kind whose status callbacks arrive on `/webhooks/<segment>`, if one does. */
export function callbackKind(segment: string): CallbackKind | null {
  const kind: TargetKind | undefined = TARGET_KINDS.find((k) => k.type === segment);
  return kind?.verifyCallback ? { ...kind, verifyCallback: kind.verifyCallback } : null;
}
