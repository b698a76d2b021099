import { z } from "zod";

export const solutionOutputShape = {
  run_id: z.string(),
  revision: z.number().describe("Solution revision: 1 when proposed, +1 per edit"),
  root_cause_revision: z.number().describe("The root-cause revision this plan was built from"),
  stale: z.boolean().describe("True when the root cause changed after this plan was made"),
  pattern: z
    .string()
    .describe("missing_value, bad_downstream, timeout, n_plus_one, library, unlocated or logic"),
  steps: z
    .array(
      z.object({
        id: z.string(),
        repo: z.string().nullable(),
        title: z.string(),
        description: z.string(),
        files: z.array(z.string()),
        evidence: z.array(z.string()),
      }),
    )
    .describe("In order"),
  tests: z.array(
    z.object({
      repo: z.string().nullable().optional(),
      title: z.string(),
      description: z.string(),
      file: z.string().nullable(),
      command: z.string().nullable(),
    }),
  ),
  avoid: z.array(z.string()).describe("What not to do"),
  notes: z.array(z.string()),
};

export type SolutionOutput = z.infer<z.ZodObject<typeof solutionOutputShape>>;

/** The nested fields PRODUCT.md names for a solution, spelled out in tools/list (src/tool-listing.ts). */
export const solutionOutline = { steps: ["id", "title", "description", "files"] } as const;
