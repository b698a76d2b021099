import { z } from "zod";

/** The coding agents whose rules files get_rules reads, by the ID its output uses. */
export const TOOLS = ["cursor", "windsurf", "cline", "claude", "copilot", "gemini", "agents"] as const;

const toolId = z.enum(TOOLS);

/** The structured result of get_rules. */
export const rulesOutputShape = {
  repo: z.string(),
  ref: z.string().nullable().describe("The ref read; null for a local checkout's working tree"),
  tools: z.array(
    z.object({
      tool: toolId,
      files: z.array(
        z.object({
          path: z.string(),
          activation: z.string(),
          globs: z.array(z.string()),
          scope: z.string(),
          description: z.string().nullable(),
          warnings: z.array(z.string()),
        }),
      ),
    }),
  ),
  applicable: z.array(
    z.object({
      path: z.string(),
      rules: z.array(
        z.object({ tool: toolId, file: z.string(), activation: z.string(), reason: z.string() }),
      ),
    }),
  ),
  warnings: z.array(z.string()),
};

export type RulesStructured = z.infer<z.ZodObject<typeof rulesOutputShape>>;
