import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, type Spawned, spawnCli } from "../helpers/spawn.ts";

/**
 * The full flow (search → issue → analyze → plan → hand off → run resource), with prompts, completions,
 * progress and run subscriptions, for a client pinned to each protocol revision we speak — 2025-11-25
 * (initialize, sessions) and 2026-07-28 (server/discover, per request) — over stdio, stateful HTTP and
 * stateless HTTP with the bearer token. `autofix-mcp --demo` serves the bundled sample incident.
 */
const TOKEN = "e2e-eras-token-0123456789";
const ERAS = [
  { era: "legacy", version: "2025-11-25" },
  { era: "modern", version: "2026-07-28" },
] as const;
const TRANSPORTS = ["stdio", "http", "http-stateless"] as const;
type Era = (typeof ERAS)[number];
type Transport = (typeof TRANSPORTS)[number];

const running: Spawned[] = [];
afterAll(async () => {
  await Promise.all(running.map((s) => s.kill()));
});

const ENV = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", AUTOFIX_DB: ":memory:" };

/** A client pinned to one revision: no fallback either way. */
function pinnedClient(era: Era): Client {
  const info = { name: `e2e-${era.era}`, version: "1" };
  return era.era === "modern"
    ? new Client(info, { versionNegotiation: { mode: { pin: era.version } } })
    : new Client(info, { supportedProtocolVersions: [era.version] });
}

/** Every JSON-RPC body the client posted, and every answer body it read, over HTTP. */
interface Wire {
  sent: Array<{ method?: string }>;
  answers: string[];
}

async function startHttp(stateless: boolean): Promise<string> {
  return (await startHttpServer(stateless, "warn")).url;
}

async function startHttpServer(
  stateless: boolean,
  logLevel: string,
): Promise<{ url: string; spawned: Spawned }> {
  const mode = stateless ? ["--stateless"] : [];
  const args = ["--demo", "--transport", "http", "--port", "0", "--log-level", logLevel, ...mode];
  const spawned = spawnCli(args, { AUTOFIX_HTTP_TOKEN: TOKEN });
  running.push(spawned);
  return { url: (await spawned.waitForStderr(/listening on (http:\/\/\S+)/))[1]!, spawned };
}

async function connect(era: Era, transport: Transport, wire: Wire): Promise<Client> {
  const client = pinnedClient(era);
  if (transport === "stdio") {
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [BIN, "--demo", "--log-level", "warn"],
        env: ENV,
        stderr: "pipe",
      }),
    );
    return client;
  }
  const url = await startHttp(transport === "http-stateless");
  const recording = async (input: string | URL | Request, init?: RequestInit) => {
    if (typeof init?.body === "string") wire.sent.push(JSON.parse(init.body));
    const response = await fetch(input, init);
    // A POST's answer ends with its response (plain JSON, or a short SSE stream); read a copy on the side.
    if (init?.method === "POST")
      void response
        .clone()
        .text()
        .then(
          (body) => wire.answers.push(body),
          () => undefined,
        );
    return response;
  };
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { authorization: `Bearer ${TOKEN}` } },
      fetch: recording,
    }),
  );
  return client;
}

const text = (result: { content?: unknown }) =>
  ((result.content ?? []) as Array<{ text?: string }>).map((c) => c.text ?? "").join("\n");

describe.each(ERAS)("a client pinned to $version", (era) => {
  describe.each(TRANSPORTS)("over %s", (transport) => {
    const wire: Wire = { sent: [], answers: [] };
    let client: Client;
    afterAll(async () => {
      await client?.close();
    });

    it("connects on its revision and lists tools, prompts and resources", async () => {
      client = await connect(era, transport, wire);
      expect(client.getProtocolEra()).toBe(era.era);
      expect(client.getNegotiatedProtocolVersion()).toBe(era.version);
      expect(client.getServerVersion()?.name).toBe("autofix-mcp");
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(["analyze_root_cause", "hand_off"]));
      const { prompts } = await client.listPrompts();
      expect(prompts.map((p) => p.name)).toContain("diagnose_issue");
      const { resourceTemplates } = await client.listResourceTemplates();
      expect(resourceTemplates.map((t) => t.uriTemplate)).toContain("autofix://runs/{id}");
    });

    // Over stdio the wire is the SDK transport's own; over HTTP this test reads it.
    if (transport !== "stdio")
      it("marks tools/list and prompts/list cacheable on 2026-07-28 only", async () => {
        const lists = () => wire.answers.filter((a) => /"tools":\[|"prompts":\[/.test(a));
        await expect.poll(() => lists().length).toBeGreaterThanOrEqual(2);
        for (const answer of lists()) {
          if (era.era === "modern")
            expect(answer).toMatch(
              /"ttlMs":3600000.*"cacheScope":"public"|"cacheScope":"public".*"ttlMs":3600000/,
            );
          else expect(answer).not.toContain("ttlMs");
        }
        const listed = () => wire.sent.filter((m) => m.method === "tools/list").length;
        const before = listed();
        await client.listTools();
        // A 2026-07-28 client answers from its cache while the hint says the list is fresh.
        expect(listed()).toBe(era.era === "modern" ? before : before + 1);
      });

    it("renders a prompt and completes its argument", async () => {
      const prompt = await client.getPrompt({
        name: "diagnose_issue",
        arguments: { issue: "ORDERS-API-7A" },
      });
      expect(JSON.stringify(prompt.messages)).toContain("ORDERS-API-7A");
      const completion = await client.complete({
        ref: { type: "ref/prompt", name: "diagnose_issue" },
        argument: { name: "issue", value: "ORDERS" },
      });
      expect(completion.completion.values).toContain("ORDERS-API-7A");
    });

    it("walks search → issue → analyze (with progress) → plan → hand off → run resource, hearing run updates", async () => {
      const search = await client.callTool({ name: "search_issues", arguments: { sort: "freq" } });
      expect(text(search)).toContain("ORDERS-API-7A");
      const issue = await client.callTool({ name: "get_issue", arguments: { issue: "ORDERS-API-7A" } });
      expect(issue.isError, text(issue)).toBeFalsy();

      const progress: string[] = [];
      const rootCause = await client.callTool(
        { name: "analyze_root_cause", arguments: { issue: "ORDERS-API-7A" } },
        { onprogress: (p) => progress.push(p.message ?? "") },
      );
      expect(rootCause.isError, text(rootCause)).toBeFalsy();
      expect(progress.at(-1)).toBe("root cause ready");
      const runId = (rootCause.structuredContent as { run_id: string }).run_id;
      const uri = `autofix://runs/${runId}`;

      // Run updates: resources/subscribe in a 2025 session, a subscriptions/listen stream on 2026-07-28.
      // A stateless 2025 server has no session to send them on.
      const updates: string[] = [];
      client.setNotificationHandler("notifications/resources/updated", (n) => {
        updates.push(n.params.uri);
      });
      const hears = !(era.era === "legacy" && transport === "http-stateless");
      const listening =
        era.era === "modern"
          ? await client.listen({ resourceSubscriptions: [uri] })
          : hears
            ? await client.subscribeResource({ uri })
            : undefined;
      const feedback = await client.callTool({
        name: "add_feedback",
        arguments: { run_id: runId, confirm: 1 },
      });
      expect(feedback.isError, text(feedback)).toBeFalsy();
      if (hears) await expect.poll(() => updates.filter((u) => u === uri).length).toBeGreaterThan(0);

      const plan = await client.callTool({ name: "propose_solution", arguments: { run_id: runId } });
      expect(plan.isError, text(plan)).toBeFalsy();
      const handoff = await client.callTool({
        name: "hand_off",
        arguments: { run_id: runId, target: "chat" },
      });
      expect(handoff.isError, text(handoff)).toBeFalsy();
      expect(text(handoff)).toContain(runId);
      if (hears) expect(updates.filter((u) => u === uri).length).toBeGreaterThanOrEqual(2);

      const resource = await client.readResource({ uri });
      expect(JSON.stringify(resource.contents)).toContain(runId);
      if (listening && "close" in listening) await listening.close();
    });

    it("answers a missing run with resource-not-found in its revision's code", async () => {
      const uri = "autofix://runs/run_20990101_0000000000";
      const error = await client.readResource({ uri }).then(
        () => null,
        (e: { data?: { uri?: string } }) => e,
      );
      expect(error?.data?.uri).toBe(uri);
      if (transport === "stdio") return;
      // On the wire: -32002 to 2025-era clients, as before; -32602 with the URI, as 2026-07-28 requires.
      await expect
        .poll(() => wire.answers.find((a) => a.includes("run_20990101_0000000000")))
        .toContain(`"code":${era.era === "modern" ? -32602 : -32002}`);
    });
  });
});

describe("the HTTP guards, for a client pinned to 2026-07-28", () => {
  it("refuses it without the bearer token and from a foreign Origin, as they refuse a 2025 client", async () => {
    const url = await startHttp(true);
    const modern = ERAS[1];
    const bare = pinnedClient(modern);
    await expect(bare.connect(new StreamableHTTPClientTransport(new URL(url)))).rejects.toMatchObject({
      status: 401,
    });
    const foreign = pinnedClient(modern);
    const headers = { authorization: `Bearer ${TOKEN}`, origin: "https://evil.example" };
    await expect(
      foreign.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } })),
    ).rejects.toMatchObject({ status: 403 });
  });
});

describe("cancelling on 2026-07-28", () => {
  it("stops the call when the client cancels, even on a stateless server (the request closing is the signal)", async () => {
    const { url, spawned } = await startHttpServer(true, "info");
    const client = pinnedClient(ERAS[1]);
    await client.connect(
      new StreamableHTTPClientTransport(new URL(url), {
        requestInit: { headers: { authorization: `Bearer ${TOKEN}` } },
      }),
    );
    const cancel = new AbortController();
    const call = client.callTool(
      { name: "analyze_root_cause", arguments: { issue: "ORDERS-API-7D" } },
      // Cancelled at its first progress notification: the tool is running by then.
      { signal: cancel.signal, onprogress: () => cancel.abort("the user pressed stop") },
    );
    await expect(call).rejects.toThrow(/the user pressed stop/);
    await spawned.waitForStderr(/"msg":"tool call cancelled by the client","tool":"analyze_root_cause"/);
    expect(spawned.stderr()).not.toMatch(/"msg":"tool call","tool":"analyze_root_cause"/);
    await client.close();
  });
});
