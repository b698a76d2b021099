import type { AnyTool } from "../src/tool.ts";
import { getIssue } from "./get-issue.ts";

/** Every tool this server offers; src/server.ts registers them in this order. */
export const tools: readonly AnyTool[] = [getIssue];
