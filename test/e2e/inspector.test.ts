import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tools } from "../../tools/index.ts";
import { BIN, type Spawned, spawnCli } from "../helpers/spawn.ts";

/**
 * A smoke test with the MCP Inspector's CLI (@modelcontextprotocol/inspector-cli 1.x, the line that runs on
 * Node 20), over stdio and over Streamable HTTP: a client we did not write lists, calls and renders.
 */
const require = createRequire(import.meta.url);
const BUILD = join(dirname(require.resolve("@modelcontextprotocol/inspector-cli/package.json")), "build");
const TOKEN = "inspector-smoke-token-0123456789";

function inspector(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise) => {
    // The CLI finds its own package.json relative to the working directory.
    const child = spawn(process.execPath, [join(BUILD, "index.js"), ...args], {
      cwd: BUILD,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", AUTOFIX_DB: ":memory:" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString("utf8");
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString("utf8");
    });
    child.once("exit", (code) => resolvePromise({ code, stdout, stderr }));
  });
}

const stdio = [process.execPath, BIN, "--demo", "--log-level", "warn"];

describe("MCP Inspector CLI over stdio", () => {
  it("lists every tool", async () => {
    const { code, stdout } = await inspector([...stdio, "--method", "tools/list"]);
    expect(code).toBe(0);
    const names = (JSON.parse(stdout) as { tools: Array<{ name: string }> }).tools.map((t) => t.name);
    expect(names).toEqual(tools.map((t) => t.name));
  });

  it("calls a tool, and fails on an unknown one with the spec's error", async () => {
    const ok = await inspector([
      ...stdio,
      "--method",
      "tools/call",
      "--tool-name",
      "get_issue",
      "--tool-arg",
      "issue=ORDERS-API-7A",
    ]);
    expect(ok.code).toBe(0);
    const result = JSON.parse(ok.stdout) as { content: Array<{ text: string }>; structuredContent: unknown };
    expect(result.content[0]!.text).toContain("ORDERS-API-7A");
    expect(result.structuredContent).toBeDefined();

    const unknown = await inspector([...stdio, "--method", "tools/call", "--tool-name", "get_isue"]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr + unknown.stdout).toContain("-32602");
  });

  it("renders a prompt with its argument, and lists resource templates", async () => {
    const prompt = await inspector([
      ...stdio,
      "--method",
      "prompts/get",
      "--prompt-name",
      "fix_issue",
      "--prompt-args",
      "issue=ORDERS-API-7A",
    ]);
    expect(prompt.code).toBe(0);
    expect(prompt.stdout).toContain("ORDERS-API-7A");
    const templates = await inspector([...stdio, "--method", "resources/templates/list"]);
    expect(templates.code).toBe(0);
    expect(templates.stdout).toContain("autofix://runs/{id}");
  });
});

describe("MCP Inspector CLI over Streamable HTTP", () => {
  let server: Spawned;
  let url: string;
  beforeAll(async () => {
    server = spawnCli(["--demo", "--transport", "http", "--port", "0"], { AUTOFIX_HTTP_TOKEN: TOKEN });
    url = (await server.waitForStderr(/listening on (http:\/\/\S+)/))[1]!;
  });
  afterAll(async () => {
    await server?.kill();
  });

  it("lists and calls with the bearer token, and is refused without it", async () => {
    const auth = ["--transport", "http", "--header", `Authorization: Bearer ${TOKEN}`];
    const list = await inspector([url, ...auth, "--method", "tools/list"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('"analyze_root_cause"');
    const call = await inspector([
      url,
      ...auth,
      "--method",
      "tools/call",
      "--tool-name",
      "search_issues",
      "--tool-arg",
      "sort=freq",
    ]);
    expect(call.code).toBe(0);
    expect(call.stdout).toContain("ORDERS-API-7A");
    const anonymous = await inspector([url, "--transport", "http", "--method", "tools/list"]);
    expect(anonymous.code).not.toBe(0);
  });
});
