import { z } from "zod";
import { safeRepoPath } from "../src/code/paths.ts";
import { rulesOutputShape } from "../src/contract/rules.ts";
import { loadRules } from "../src/rules/index.ts";
import { renderRules } from "../src/rules/render.ts";
import { defineTool } from "../src/tool.ts";

export const getRules = defineTool({
  name: "get_rules",
  title: "Get the repository's coding-agent rules",
  description:
    "The repository's coding-agent rules files (Cursor, Windsurf, Cline, Claude Code, AGENTS.md, Copilot, Gemini) and, with paths, which apply to each file and why. Use it before editing files, so the change follows the project's conventions.",
  summary:
    "The repository's coding-agent rules files (Cursor, Windsurf, Cline, Claude Code with `@imports`, AGENTS.md, Copilot, Gemini) grouped by tool with how each activates; with `paths`, which rules apply to each file under that tool's glob and precedence semantics, why, and their text. Flags surprises (skipped malformed rules, quoted `\"true\"`, Windsurf's 6,000-character cut).",
  example: { paths: ["src/pricing/discounts.ts"] },
  inputSchema: {
    repo: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe("As configured, e.g. acme/orders-api; optional with one repository"),
    paths: z.array(z.string().min(1).max(500)).max(20).optional().describe("Repo-relative files to check"),
    ref: z
      .string()
      .min(1)
      .max(250)
      .optional()
      .describe("Branch, tag or commit (default: the working tree, or GitHub's default branch)"),
  },
  outputSchema: rulesOutputShape,
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  async handler(input, ctx) {
    const repo = ctx.repos.pick(input.repo);
    const paths = (input.paths ?? []).map(safeRepoPath);
    const ref =
      input.ref ?? (repo.host.kind === "github" ? await repo.host.defaultBranch(ctx.signal) : undefined);
    const set = await loadRules(repo.host, ref, ctx.signal);
    const view = renderRules({ ...set, repo: repo.name }, paths, ctx.toolNames);
    return { markdown: view.markdown, structured: view.structured };
  },
});
