import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { tools } from "../../tools/index.ts";
import { connect, testContext } from "../helpers/context.ts";
import { TOOLS_LIST_BUDGET, toolsListTokens } from "../helpers/tokens.ts";

const root = resolve(import.meta.dirname, "../..");
const read = (p: string) => readFileSync(resolve(root, p), "utf8");

let session: Awaited<ReturnType<typeof connect>>;
beforeAll(async () => {
  session = await connect(testContext({ sentryUrl: "http://127.0.0.1:9" }));
});
afterAll(() => session.close());

describe("the public contract", () => {
  it("keeps every tool's schema and annotations as committed (update with `npx vitest -u` when you mean it)", async () => {
    const { tools: listed } = await session.client.listTools();
    const snapshot = listed.map((t) => ({
      name: t.name,
      title: t.title,
      annotations: t.annotations,
      inputSchema: t.inputSchema,
      outputSchema: t.outputSchema,
      _meta: t._meta,
    }));
    await expect(JSON.stringify(snapshot, null, 2)).toMatchFileSnapshot("./tools.snapshot.json");
  });

  it("gives every tool a title, a short description, an example call that passes its schema, and an explicit readOnlyHint", () => {
    for (const tool of tools) {
      expect(tool.name).toMatch(/^[a-z_]+$/);
      expect(tool.title.length).toBeGreaterThan(3);
      // When to use it, in one or two sentences: the whole list sits in the model's context on every turn.
      expect(tool.description.split(/(?<=[.!?])\s+/).length, tool.name).toBeLessThanOrEqual(3);
      expect(tool.description.length, tool.name).toBeLessThanOrEqual(320);
      // The example is quoted to a model whose arguments did not match; it must be a call that would.
      expect(z.object(tool.inputSchema).safeParse(tool.example).success, tool.name).toBe(true);
      expect(typeof tool.annotations.readOnlyHint).toBe("boolean");
      // Top-level input schemas must stay plain objects, or the SDK advertises them as empty.
      expect(Object.keys(tool.inputSchema).length).toBeGreaterThan(0);
    }
  });

  it(`keeps the whole tools/list within ${TOOLS_LIST_BUDGET} cl100k tokens`, async () => {
    const { tokens } = await toolsListTokens(session.client);
    expect(tokens).toBeLessThanOrEqual(TOOLS_LIST_BUDGET);
  });

  it("declares, with its type, every output field PRODUCT.md names", async () => {
    const { tools: listed } = await session.client.listTools();
    for (const [names, fields] of CONTRACT) {
      for (const name of names) {
        const schema = listed.find((t) => t.name === name)?.outputSchema;
        for (const field of fields) {
          expect(typeAt(schema, field), `${name}: ${field}`).toBeDefined();
        }
      }
    }
    const rootCause = listed.find((t) => t.name === "analyze_root_cause")!.outputSchema;
    expect(enumAt(rootCause, "confidence.level")).toEqual(["high", "medium", "low"]);
    expect(enumAt(rootCause, "verdict")).toEqual(["in_app", "third_party", "unknown"]);
  });

  it("keeps the README's tool table as the definitions say it (npm run readme writes it)", () => {
    const readme = read("README.md");
    const table = readme.slice(readme.indexOf("<!-- tools:start -->"), readme.indexOf("<!-- tools:end -->"));
    const rows = [...table.matchAll(/^\| `([a-z_]+)`\s*\|\s*(.*?)\s*\|$/gm)].map((m) => ({
      name: m[1],
      summary: m[2]!.replace(/\\\|/g, "|"),
    }));
    expect(rows).toEqual(tools.map((t) => ({ name: t.name, summary: t.summary })));
  });

  it("keeps server.json and package.json in step", () => {
    const pkg = JSON.parse(read("package.json"));
    const server = JSON.parse(read("server.json"));
    expect(server.$schema).toContain("2025-12-11");
    expect(server.name).toBe(pkg.mcpName);
    expect(server.name).toMatch(/^io\.github\.[\w-]+\/autofix-mcp$/);
    expect(server.version).toBe(pkg.version);
    expect(server.packages[0].identifier).toBe(pkg.name);
    expect(server.packages[0].version).toBe(pkg.version);
    expect(server.description.length).toBeLessThanOrEqual(100);
  });

  it("documents every environment variable the config reads", () => {
    const readme = read("README.md");
    const configSource = read("src/config.ts");
    const vars = new Set([...configSource.matchAll(/env\.([A-Z_]+)/g)].map((m) => m[1]!));
    for (const v of vars) {
      if (["XDG_STATE_HOME", "LOCALAPPDATA"].includes(v)) continue;
      expect(readme, `README should document ${v}`).toContain(v);
    }
  });
});

/** The structured fields PRODUCT.md §3 names, by the tools that return them; `[]` marks an array's items. */
const CONTRACT: Array<[string[], string[]]> = [
  [
    ["analyze_root_cause", "add_feedback"],
    [
      "run_id",
      "issue.id",
      "issue.short_id",
      "issue.title",
      "summary",
      ...["repo", "path", "line", "function", "score", "reasons", "evidence"].map((f) => `candidates[].${f}`),
      "causal_chain[].description",
      "causal_chain[].evidence",
      "suspect_commits",
      "confidence.level",
      "confidence.score",
      "verdict",
      "library.name",
      "library.version",
      "library.frame",
    ],
  ],
  [
    ["propose_solution", "edit_solution"],
    ["run_id", "steps[].id", "steps[].title", "steps[].description", "steps[].files", "tests"],
  ],
  [
    ["hand_off"],
    ["brief", "branch", "pr_title", "pr_body", "rules", "dispatch.target", "dispatch.status", "dispatch.url"],
  ],
];

function fieldAt(schema: any, path: string): any {
  let node = schema;
  for (const part of path.split(".")) {
    const name = part.replace(/\[\]$/, "");
    node = node?.properties?.[name];
    if (part.endsWith("[]")) node = node?.items;
  }
  return node;
}

const typeAt = (schema: any, path: string) => fieldAt(schema, path)?.type;
const enumAt = (schema: any, path: string) => fieldAt(schema, path)?.enum;
