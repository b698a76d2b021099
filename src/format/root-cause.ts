import type { RootCauseOutput } from "../contract/root-cause.ts";
import { truncate } from "../text/clip.ts";
import { call, data, facts, field, lines, UNTRUSTED_NOTICE } from "./markdown.ts";

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
