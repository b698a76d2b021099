import { z } from "zod";

const frameShape = z.object({
  function: z.string(),
  file: z.string().nullable(),
  line: z.number().nullable(),
  in_app: z.boolean(),
});
const statShape = z.object({
  function: z.string(),
  file: z.string().nullable(),
  line: z.number().nullable(),
  in_app: z.boolean(),
  self_pct: z.number(),
  total_pct: z.number(),
});

export const profileOutputShape = {
  kind: z.enum(["transaction", "continuous", "flamegraph"]),
  source: z.string().describe("Which profile was read"),
  transaction: z.string().nullable(),
  samples: z.number(),
  hot_paths: z.array(
    z.object({ share_pct: z.number(), frames: z.array(frameShape).describe("Root → leaf") }),
  ),
  top_self: z.array(statShape),
  top_total: z.array(statShape),
  hottest_in_app: statShape.nullable(),
};

export type ProfileStructured = z.infer<z.ZodObject<typeof profileOutputShape>>;
