import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tools } from "../../tools/index.ts";
import { connect, testContext } from "../helpers/context.ts";

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
    }));
    await expect(JSON.stringify(snapshot, null, 2)).toMatchFileSnapshot("./tools.snapshot.json");
  });

  it("gives every tool a title, a description with an example, and an explicit readOnlyHint", () => {
    for (const tool of tools) {
      expect(tool.name).toMatch(/^[a-z_]+$/);
      expect(tool.title.length).toBeGreaterThan(3);
      expect(tool.description).toContain("Example");
      expect(typeof tool.annotations.readOnlyHint).toBe("boolean");
      // Top-level input schemas must stay plain objects, or the SDK advertises them as empty.
      expect(Object.keys(tool.inputSchema).length).toBeGreaterThan(0);
    }
  });

  it("lists exactly the registered tools in the README's tool table", () => {
    const readme = read("README.md");
    const table = readme.slice(readme.indexOf("<!-- tools:start -->"), readme.indexOf("<!-- tools:end -->"));
    const names = [...table.matchAll(/^\| `([a-z_]+)`\s*\|/gm)].map((m) => m[1]);
    expect(names).toEqual(tools.map((t) => t.name));
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
