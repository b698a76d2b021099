import { claudeActionDispatcher } from "./claude-action.ts";
import { copilotDispatcher } from "./copilot.ts";
import { cursorDispatcher } from "./cursor.ts";
import type { Dispatcher, DispatcherDeps, TargetConfig } from "./types.ts";
import { webhookDispatcher } from "./webhook.ts";

/** The dispatcher for a configured target; a missing credential is a configuration error naming it. */
export function createDispatcher(target: TargetConfig, deps: DispatcherDeps): Dispatcher {
  switch (target.type) {
    case "cursor":
      return cursorDispatcher(target, deps);
    case "copilot":
      return copilotDispatcher(target, deps);
    case "claude_action":
      return claudeActionDispatcher(target, deps);
    case "webhook":
      return webhookDispatcher(target, deps);
  }
}
