import type { AnyTool } from "../src/tool.ts";
import { addFeedback } from "./add-feedback.ts";
import { analyzeRootCause } from "./analyze-root-cause.ts";
import { editSolutionTool } from "./edit-solution.ts";
import { getIssue } from "./get-issue.ts";
import { getProfile } from "./get-profile.ts";
import { getRules } from "./get-rules.ts";
import { getRun } from "./get-run.ts";
import { getTrace } from "./get-trace.ts";
import { handOffTool } from "./hand-off.ts";
import { proposeSolutionTool } from "./propose-solution.ts";
import { searchIssues } from "./search-issues.ts";
import { searchLogs } from "./search-logs.ts";

/** Every tool this server offers; src/server.ts registers them in this order. */
export const tools: readonly AnyTool[] = [
  getIssue,
  getTrace,
  searchLogs,
  getProfile,
  searchIssues,
  getRules,
  analyzeRootCause,
  addFeedback,
  proposeSolutionTool,
  editSolutionTool,
  handOffTool,
  getRun,
];
