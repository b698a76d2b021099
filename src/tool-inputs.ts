import { z } from "zod";

/** Input fields several tools share, stated once so they read (and validate) the same everywhere. */
export const issueInput = z.string().min(1).max(2000).describe("Short ID, numeric ID or Sentry URL");

export const eventInput = z
  .string()
  .max(64)
  .optional()
  .describe('"recommended" (default), "latest", "oldest" or an event ID');

export const organizationInput = z
  .string()
  .max(100)
  .optional()
  .describe("Organization slug, when the server has no default");

export const traceIdInput = z.string().max(64).optional().describe("32-character trace ID");

export const runIdInput = z.string().min(1).max(80).describe("From analyze_root_cause");

/** A project slug; each tool says what else it accepts. */
export const projectInput = z.string().max(100).optional();
