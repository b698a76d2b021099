import { z } from "zod";

/** The root-cause result: the public contract of analyze_root_cause and add_feedback. */
export const rootCauseOutputShape = {
  run_id: z.string(),
  revision: z.number().describe("Root-cause revision: 1 for the analysis, +1 for each feedback applied"),
  issue: z.object({ id: z.string(), short_id: z.string().nullable(), title: z.string() }),
  summary: z.string(),
  kind: z.string(),
  candidates: z
    .array(
      z.object({
        repo: z.string().nullable(),
        path: z
          .string()
          .nullable()
          .describe("Repo-relative when repo is set; otherwise the path Sentry reported"),
        line: z.number().nullable(),
        function: z.string().nullable(),
        score: z.number(),
        reasons: z.array(z.string()),
        evidence: z.array(z.string()).describe("Evidence IDs; get_run shows each"),
        source: z
          .string()
          .describe("stack, other_service, span, profile, one_hop, test_subject, list_query or feedback"),
      }),
    )
    .describe("Ranked, best first"),
  causal_chain: z
    .array(z.object({ description: z.string(), evidence: z.array(z.string()) }))
    .describe("Cause → effect"),
  suspect_commits: z.array(
    z.object({
      sha: z.string(),
      subject: z.string().nullable(),
      author: z.string().nullable(),
      date: z.string().nullable(),
      path: z.string().nullable(),
      score: z.number(),
    }),
  ),
  confidence: z.object({ level: z.enum(["high", "medium", "low"]), score: z.number() }),
  verdict: z
    .enum(["in_app", "third_party", "unknown"])
    .describe("third_party: the cause is in a library; unknown: it cannot be located"),
  notes: z.array(z.string()),
  unmapped_frames: z.array(z.object({ frame: z.string(), reason: z.string() })),
  library: z
    .object({ name: z.string(), version: z.string().nullable(), frame: z.string() })
    .nullable()
    .optional()
    .describe("The installed library the error was raised in, when the throwing frame is one"),
  related_issues: z.array(
    z.object({
      short_id: z.string().nullable(),
      project: z.string().nullable(),
      title: z.string().nullable(),
      event_id: z.string().nullable(),
    }),
  ),
  rejected: z
    .array(
      z.object({ repo: z.string().nullable(), path: z.string().nullable(), function: z.string().nullable() }),
    )
    .describe("Candidates feedback rejected"),
  evidence_count: z.number(),
};

export type RootCauseOutput = z.infer<z.ZodObject<typeof rootCauseOutputShape>>;

/** The nested fields PRODUCT.md names for a root cause, spelled out in tools/list (src/tool-listing.ts). */
export const rootCauseOutline = {
  issue: ["id", "short_id", "title"],
  candidates: ["repo", "path", "line", "function", "score", "reasons", "evidence"],
  causal_chain: ["description", "evidence"],
  confidence: ["level", "score"],
  library: ["name", "version", "frame"],
} as const;
