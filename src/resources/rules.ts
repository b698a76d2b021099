import { safeRepoPath } from "../code/paths.ts";
import type { Repository } from "../code/repositories.ts";
import type { Context } from "../context.ts";
import { notFound } from "../errors.ts";
import { discoverRuleFiles } from "../rules/discover.ts";
import { loadRules, TOOL_LABELS } from "../rules/index.ts";
import { scrubText } from "../text/scrub.ts";
import type { ResourceTemplateDefinition } from "./types.ts";

/**
 * Each repository's rules files as MCP resources, for clients that attach resources to a conversation.
 * Only rules files (and files they import) are served: this is not a general file reader.
 */

const MAX_LISTED = 500;

function rulesUri(repo: string, path: string): string {
  return `autofix://rules/${encodeURIComponent(repo)}/${path.split("/").map(encodeURIComponent).join("/")}`;
}

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join("/") : (v ?? ""));

async function at(repo: Repository): Promise<string | undefined> {
  return repo.host.kind === "github" ? repo.host.defaultBranch() : undefined;
}

export const rulesResource: ResourceTemplateDefinition = {
  name: "rules",
  uriTemplate: "autofix://rules/{repo}/{+path}",
  metadata: {
    title: "Coding-agent rules files",
    description:
      "A repository's rules files: CLAUDE.md, AGENTS.md, .cursor/rules, .windsurf/rules, .clinerules, Copilot instructions, GEMINI.md.",
    mimeType: "text/markdown",
  },
  async list(context: Context) {
    const out = [];
    for (const repo of context.repos.all()) {
      try {
        const files = await repo.host.listFiles(await at(repo));
        for (const rf of discoverRuleFiles(files)) {
          out.push({
            uri: rulesUri(repo.name, rf.file),
            name: `${repo.name}/${rf.file}`,
            title: `${rf.file} (${TOOL_LABELS[rf.tool]})`,
            mimeType: "text/markdown",
          });
        }
      } catch (error) {
        context.logger.warn("cannot list rules files", { repo: repo.name, error });
      }
      if (out.length >= MAX_LISTED) break;
    }
    return out.slice(0, MAX_LISTED);
  },
  async read(uri, variables, context) {
    const name = decodeURIComponent(one(variables.repo));
    const path = safeRepoPath(one(variables.path).split("/").map(decodeURIComponent).join("/"));
    const repo = context.repos.byName(name);
    if (!repo)
      throw notFound(
        `no repository "${name}" is available to this server.`,
        "List the rules resources, or call get_rules.",
      );
    const ref = await at(repo);
    const isRulesFile = discoverRuleFiles(await repo.host.listFiles(ref)).some((f) => f.file === path);
    if (!isRulesFile && !(await loadRules(repo.host, ref)).sources.some((s) => s.file === path)) {
      throw notFound(
        `${path} is not a rules file in ${repo.name}.`,
        "List the rules resources, or call get_rules.",
      );
    }
    const text = await repo.host.readFile(path, ref);
    if (text === null) throw notFound(`${path} is not in ${repo.name}.`);
    return {
      contents: [
        { uri: uri.href, mimeType: "text/markdown", text: scrubText(text, { secrets: context.secrets }) },
      ],
    };
  },
};
