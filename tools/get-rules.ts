import { z } from "zod";
import { safeRepoPath } from "../src/code/paths.ts";
import { loadRules } from "../src/rules/index.ts";
import { renderRules } from "../src/rules/render.ts";
import { TOOLS } from "../src/rules/types.ts";
import { defineTool } from "../src/tool.ts";

const toolId = z.enum(TOOLS);

export const getRules = defineTool({
  name: "get_rules",
  title: "Get the repository's coding-agent rules",
  description: `List a repository's coding-agent rules files — Cursor (.cursor/rules, .cursorrules), Windsurf (.windsurf/rules, .windsurfrules), Cline (.clinerules), Claude Code (CLAUDE.md, .claude/rules, @imports), AGENTS.md, GitHub Copilot (.github/copilot-instructions.md, .github/instructions) and GEMINI.md — grouped by tool with how each activates. With paths, it says which rules apply to each file under each tool's own glob and precedence semantics, why, and quotes their text; it also flags what a tool would do surprisingly (skipped malformed rules, quoted "true", Windsurf's 6,000-character truncation).
Use it before editing files in a repository, or when planning a fix, so the change follows the project's conventions. Do not use it to read source code or to search for files. repo may be omitted when one repository is configured.
Example: {"paths": ["services/orders/src/pricing/discounts.ts"]} or {"repo": "acme/orders-api", "paths": ["src/app.ts", "tests/app.test.ts"], "ref": "main"}`,
  inputSchema: {
    repo: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe("Repository name as configured (e.g. acme/orders-api); optional when only one is configured"),
    paths: z
      .array(z.string().min(1).max(500))
      .max(20)
      .optional()
      .describe("Repo-relative file paths to check, e.g. src/pricing/discounts.ts"),
    ref: z
      .string()
      .min(1)
      .max(250)
      .optional()
      .describe(
        "Branch, tag or commit to read; default: the checkout's working tree, or the default branch on GitHub",
      ),
  },
  outputSchema: {
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
  },
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
