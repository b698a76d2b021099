import type { SolutionOutput } from "../contract/solution.ts";
import { call, lines } from "./markdown.ts";

export function renderSolution(out: SolutionOutput, tools: ReadonlySet<string>): string {
  const next: string[] = [];
  if (tools.has("edit_solution"))
    next.push(
      `${call("edit_solution", { run_id: out.run_id, remove: ["s2"], add: [{ title: "Add unit tests", description: "…", files: [] }] })} — change the plan`,
    );
  if (tools.has("hand_off"))
    next.push(
      `${call("hand_off", { run_id: out.run_id })} — the coding brief for the agent that implements it`,
    );
  // A plan across repositories says where each step and test belongs: each repository gets its own PR.
  const spans = new Set(out.steps.map((s) => s.repo).filter(Boolean)).size > 1;
  const where = (repo: string | null | undefined) => (spans && repo ? `\`${repo}\`: ` : "");
  return lines(
    `# Fix plan for run \`${out.run_id}\` (revision ${out.revision}, from root cause revision ${out.root_cause_revision})`,
    out.stale
      ? "\n**Stale**: the root cause changed after this plan was made; run propose_solution again."
      : null,
    "",
    `**Pattern**: ${out.pattern}`,
    "",
    "## Steps",
    ...out.steps.map((s) =>
      lines(
        `${s.id}. **${s.title}**${s.files.length ? ` — ${where(s.repo)}${s.files.map((f) => `\`${f}\``).join(", ")}` : ""}`,
        `   ${s.description}`,
        s.evidence.length ? `   evidence: ${s.evidence.map((e) => `\`${e}\``).join(", ")}` : null,
      ),
    ),
    "",
    "## Tests",
    ...(out.tests.length
      ? out.tests.map(
          (t) =>
            `- **${t.title}**${t.file ? ` in ${where(t.repo)}\`${t.file}\`` : ""}: ${t.description}${t.command ? ` Run: \`${t.command}\`` : ""}`,
        )
      : ["- none proposed"]),
    out.avoid.length ? "\n## Don't" : null,
    ...out.avoid.map((a) => `- ${a}`),
    out.notes.length ? `\n**Notes**: ${out.notes.join(" ")}` : null,
    "",
    "## Next",
    ...next.map((n) => `- ${n}`),
  );
}
