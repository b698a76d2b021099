import { z } from "zod";
import { call, lines } from "./markdown.ts";

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
        `${s.id}. **${s.title}**${s.files.length ? ` — ${s.files.map((f) => `\`${f}\``).join(", ")}` : ""}`,
        `   ${s.description}`,
        s.evidence.length ? `   evidence: ${s.evidence.map((e) => `\`${e}\``).join(", ")}` : null,
      ),
    ),
    "",
    "## Tests",
    ...(out.tests.length
      ? out.tests.map(
          (t) =>
            `- **${t.title}**${t.file ? ` in \`${t.file}\`` : ""}: ${t.description}${t.command ? ` Run: \`${t.command}\`` : ""}`,
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
