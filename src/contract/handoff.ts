import { z } from "zod";

export const handoffOutputShape = {
  run_id: z.string(),
  revision: z.number(),
  brief: z.string().describe("The coding brief (markdown), under 20,000 characters"),
  branch: z.string().describe("Suggested branch name"),
  base_branch: z.string().nullable(),
  pr_title: z.string(),
  pr_body: z.string().describe("Contains `Fixes <SHORT-ID>`"),
  draft: z.boolean(),
  rules: z.array(
    z.object({
      repo: z.string(),
      tool: z.string(),
      file: z.string(),
      activation: z.string(),
      reason: z.string(),
      paths: z.array(z.string()),
    }),
  ),
  dispatch: z.object({
    target: z.string(),
    status: z
      .string()
      .describe("ready (chat), disabled (code generation off), or a background agent's state"),
    url: z.string().nullable(),
  }),
  dispatches: z
    .array(
      z.object({
        repo: z.string().nullable(),
        target: z.string(),
        status: z.string(),
        url: z.string().nullable(),
      }),
    )
    .optional()
    .describe("One per repository the fix spans, in order; dispatch is the first"),
  size: z.number(),
  truncated: z.array(z.string()).describe("What was shortened to fit the size limit"),
  notes: z.array(z.string()),
};

export type HandoffOutput = z.infer<z.ZodObject<typeof handoffOutputShape>>;

/** The nested fields PRODUCT.md names for a handoff, spelled out in tools/list (src/tool-listing.ts). */
export const handoffOutline = { dispatch: ["target", "status", "url"] } as const;
