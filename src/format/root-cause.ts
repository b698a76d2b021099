import { z } from "zod";
import { call, data, facts, field, lines, truncate, UNTRUSTED_NOTICE } from "./markdown.ts";

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

export function renderRootCause(
  out: RootCauseOutput,
  tools: ReadonlySet<string>,
  stale: string[] = [],
): string {
  const ref = out.issue.short_id ?? out.issue.id;
  const candidateRows = out.candidates.slice(0, 5).map((c, i) => {
    const where = `${c.repo ? `${c.repo}: ` : ""}${c.path ?? "?"}${c.line ? `:${c.line}` : ""}`;
    return lines(
      `${i + 1}. **${data(c.function ?? "<unknown>", 80)}** in \`${where}\` — score ${c.score.toFixed(2)}`,
      ...c.reasons.slice(0, 4).map((r) => `   - ${truncate(r.replace(/\s+/g, " "), 220)}`),
      `   - evidence: ${c.evidence.map((e) => `\`${e}\``).join(", ")}`,
    );
  });
  const next: string[] = [];
  if (out.verdict === "in_app" && out.candidates[0]) {
    next.push(
      `Open \`${out.candidates[0].path}\` and check the top candidate against the code; then report back with ${call("add_feedback", { run_id: out.run_id, confirm: 1 })} or ${call("add_feedback", { run_id: out.run_id, root_cause: "what you verified", path: "file", line: 0 })}`,
    );
  }
  if (tools.has("propose_solution") && out.verdict === "in_app")
    next.push(`${call("propose_solution", { run_id: out.run_id })} — turn it into a fix plan`);
  next.push(`${call("get_run", { run_id: out.run_id })} — every piece of evidence cited above`);
  return lines(
    `# Root cause of ${ref} (run \`${out.run_id}\`, revision ${out.revision})`,
    "",
    UNTRUSTED_NOTICE,
    "",
    `**Summary**: ${out.summary}`,
    facts(
      field("Verdict", out.verdict),
      field("Confidence", `${out.confidence.level} (${out.confidence.score.toFixed(2)})`),
      field("Kind", out.kind),
      field("Evidence", `${out.evidence_count} items`),
    ),
    stale.length > 0
      ? `**Stale**: ${stale.join(", ")} — it was built on an earlier root cause; run it again.`
      : null,
    "",
    "## Causal chain (cause → effect)",
    ...out.causal_chain.map(
      (s, i) =>
        `${i + 1}. ${s.description.replace(/\n/g, " ").slice(0, 400)} [${s.evidence.map((e) => `\`${e}\``).join(", ")}]`,
    ),
    "",
    out.candidates.length > 0
      ? "## Candidate locations (best first)"
      : "## Candidate locations\nNone: no application code is named (see the verdict).",
    ...candidateRows,
    out.suspect_commits.length > 0 ? "\n## Suspect commits" : null,
    ...out.suspect_commits
      .slice(0, 5)
      .map(
        (c) =>
          `- \`${c.sha.slice(0, 12)}\` ${data(c.subject, 120)}${c.author ? ` by ${data(c.author, 40)}` : ""}${c.date ? ` (${c.date.slice(0, 10)})` : ""}${c.path ? ` — ${c.path}` : ""} · score ${c.score.toFixed(2)}`,
      ),
    out.library
      ? `\n**Raised in library**: ${data(out.library.name, 80)}${out.library.version ? ` ${data(out.library.version, 40)}` : ""} at ${data(out.library.frame, 160)}`
      : null,
    out.related_issues.length > 0
      ? `\n**Related errors in other services**: ${out.related_issues.map((r) => `\`${r.short_id ?? r.event_id}\` (${r.project})`).join(", ")}`
      : null,
    out.unmapped_frames.length > 0
      ? `\n**Frames not found in a repository**: ${out.unmapped_frames
          .slice(0, 5)
          .map((f) => `${data(f.frame, 100)} (${f.reason})`)
          .join("; ")}`
      : null,
    out.rejected.length > 0
      ? `\n**Rejected by feedback**: ${out.rejected.map((r) => `\`${r.path}\`${r.function ? ` ${r.function}` : ""}`).join(", ")}`
      : null,
    out.notes.length > 0 ? `\n**Notes**:\n${out.notes.map((n) => `- ${n}`).join("\n")}` : null,
    "",
    "## Next",
    ...next.map((n) => `- ${n}`),
  );
}
