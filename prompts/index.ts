import type { PromptDefinition } from "../src/prompt.ts";
import { applyRules } from "./apply-rules.ts";
import { diagnoseIssue } from "./diagnose-issue.ts";
import { fixIssue } from "./fix-issue.ts";

/** Every prompt this server offers; src/server.ts registers them in this order. */
export const prompts: readonly PromptDefinition[] = [diagnoseIssue, fixIssue, applyRules];
