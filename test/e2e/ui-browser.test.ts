import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoScenario } from "../../src/sandbox/demo/index.ts";
import { type SandboxHandle, startSandbox } from "../../src/sandbox/server.ts";
import { issueCreated, postSentryWebhook, SENTRY_SECRET } from "../helpers/automation.ts";
import { findChromium, openHost, viewHtml } from "../helpers/browser.ts";
import { type Spawned, spawnCli } from "../helpers/spawn.ts";

/**
 * The two views in a real Chromium (headless, the system's; nothing downloads a browser): the MCP Apps run
 * view in a test host that bridges it to a real MCP client, and the operator page, both against the demo.
 */
const CHROMIUM = findChromium();

const TOKEN = "ui-browser-token-0123456789abcdef";
const PLANTED = `<script>window.pwned=1</script><img src=x onerror="window.pwned=2">`;
const shots = mkdtempSync(join(tmpdir(), "autofix-ui-shots-"));

describe("the run view and the operator page, in Chromium", () => {
  let browser: Browser;
  const running: Spawned[] = [];
  let sandbox: SandboxHandle;
  let demo: { base: string; client: Client };
  let planted: { base: string; client: Client };

  beforeAll(async () => {
    // No quiet skip: without a browser these tests fail, saying what to install.
    if (!CHROMIUM)
      throw new Error("no Chromium on this machine: apt-get install chromium, or set CHROMIUM_PATH to one");
    const config = join(mkdtempSync(join(tmpdir(), "autofix-ui-")), "config.json");
    // A handoff target nobody listens on, and one attempt: the background job dies at its dispatch.
    writeFileSync(
      config,
      JSON.stringify({
        handoff: {
          targets: { hook: { type: "webhook", url: "http://127.0.0.1:9/brief", secretEnv: "HOOK_SECRET" } },
          defaultTarget: "hook",
        },
        automation: { enabled: true, maxAttempts: 1 },
      }),
    );
    const scenario = demoScenario();
    const issue = scenario.issues[0]!;
    issue.issue.title = PLANTED;
    for (const e of issue.events) e.title = PLANTED;
    sandbox = await startSandbox({ scenario, token: "sandbox-token" });
    [browser, demo, planted] = await Promise.all([
      chromium.launch({ executablePath: CHROMIUM!, args: ["--no-sandbox"] }),
      start(["--demo", "--config", config], {
        AUTOFIX_HTTP_TOKEN: TOKEN,
        SENTRY_CLIENT_SECRET: SENTRY_SECRET,
        HOOK_SECRET: "hook-secret-0123456789abcdef",
      }),
      start([], { SENTRY_HOST: sandbox.url, SENTRY_ACCESS_TOKEN: "sandbox-token", SENTRY_ORG: "acme" }),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all(running.map((s) => s.kill()));
    await sandbox?.close();
    console.info(`screenshots of the views: ${shots}`);
  });

  async function start(args: string[], env: Record<string, string>) {
    const spawned = spawnCli(["--transport", "http", "--port", "0", ...args], env);
    running.push(spawned);
    const url = (await spawned.waitForStderr(/listening on (http:\/\/\S+)/))[1]!;
    const client = new Client({ name: "ui-test-host", version: "1" });
    const headers: Record<string, string> = env.AUTOFIX_HTTP_TOKEN
      ? { authorization: `Bearer ${env.AUTOFIX_HTTP_TOKEN}` }
      : {};
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
    return { base: url.replace(/\/mcp$/, ""), client };
  }

  async function showInHost(client: Client, tool: string, args: Record<string, unknown>): Promise<Page> {
    const result = await client.callTool({ name: tool, arguments: args });
    expect(result.isError).toBeFalsy();
    const page = await browser.newPage({ viewport: { width: 1000, height: 2400 } });
    await openHost(page, client);
    const html = await viewHtml(client, tool);
    await page.evaluate(([h, a, r]) => (window as any).startView(h, a, r), [html, args, result] as const);
    return page;
  }

  it("renders the demo's causal chain, candidates and trace waterfall, and confirms a candidate through add_feedback", async () => {
    const page = await showInHost(demo.client, "analyze_root_cause", { issue: "ORDERS-API-7A" });
    const view = page.frameLocator("#view");
    await expect.poll(() => view.locator(".wf .span").count(), { timeout: 10_000 }).toBe(4);
    const chain = await view.locator("#chain li").allTextContents();
    expect(chain.length).toBeGreaterThanOrEqual(5);
    expect(chain.join("\n")).toContain("stacked coupons");
    const first = view.locator(".cands > li").first();
    await expect.poll(() => first.textContent()).toContain("applyCoupon");
    expect(await first.textContent()).toContain("rule.percent / 100");
    // The failing spans are marked, and the other service's error is listed with its issue.
    expect(await view.locator(".wf .span.failing").count()).toBeGreaterThanOrEqual(2);
    expect(await view.locator("#trace .others").textContent()).toContain("STOREFRONT-3F");
    await view.locator("#plan button", { hasText: "Propose a plan" }).click();
    await expect.poll(() => view.locator("#plan .steps li").count(), { timeout: 10_000 }).toBeGreaterThan(0);
    writeFileSync(join(shots, "run-view.png"), await view.locator("body").screenshot());

    await first.locator("button", { hasText: "Confirm" }).click();
    await expect
      .poll(() => view.locator("header .facts").textContent(), { timeout: 10_000 })
      .toContain("revision 2");
    const calls = await page.evaluate(
      () => (window as any).viewCalls as Array<{ name: string; arguments: any }>,
    );
    const feedback = calls.find((c) => c.name === "add_feedback");
    expect(feedback?.arguments).toMatchObject({ confirm: 1 });
    const runId = feedback!.arguments.run_id as string;
    const run = (await demo.client.callTool({ name: "get_run", arguments: { run_id: runId } }))
      .structuredContent as any;
    expect(run.run.feedback.map((f: any) => f.kind)).toContain("confirm");
    expect(run.run.stages.root_cause.revision).toBe(2);
    await page.close();
  });

  it("lists the demo's runs and a dead job after a failed dispatch on /ui, behind the token, and retries it", async () => {
    const sent = await postSentryWebhook(
      demo.base,
      issueCreated({ id: "5103", shortId: "ORDERS-API-7A", project: "orders-api" }),
      { requestId: "ui-test-1" },
    );
    expect(sent.status).toBeLessThan(300);
    await expect
      .poll(async () => (await (await fetch(`${demo.base}/healthz`)).json()).queue?.dead, { timeout: 20_000 })
      .toBe(1);

    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const first = await page.goto(`${demo.base}/ui`);
    expect(first?.status()).toBe(401);
    await page.fill("input[name=token]", TOKEN);
    await page.click("button");
    await page.waitForURL(`${demo.base}/ui`);
    expect(page.url()).not.toContain(TOKEN);
    const [cookie] = await page.context().cookies();
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/ui" });
    expect(cookie!.value).not.toContain(TOKEN);

    const body = await page.locator("body").textContent();
    expect(body).toContain("ORDERS-API-7A");
    expect(body).toContain("applyCoupon");
    const dead = page.locator("tr.dead");
    expect(await dead.count()).toBe(1);
    expect(await dead.textContent()).toMatch(/dispatch/);
    writeFileSync(join(shots, "operator.png"), await page.screenshot({ fullPage: true }));

    // A form post without the page's CSRF token is refused, even with the session cookie.
    const forged = await page.request.post(`${demo.base}/ui/jobs/${"x"}/retry`, { form: { csrf: "guess" } });
    expect(forged.status()).toBe(403);
    await dead.locator("button", { hasText: "Retry" }).click();
    await expect.poll(() => page.locator(".notice").textContent()).toContain("queued again");
    await page.close();
  });

  it("keeps a <script> planted in an event title as text, in the run view and on /ui", async () => {
    const page = await showInHost(planted.client, "analyze_root_cause", { issue: "ORDERS-API-7A" });
    const view = page.frameLocator("#view");
    await expect.poll(() => view.locator("header .title").textContent(), { timeout: 10_000 }).toBe(PLANTED);
    expect(await view.locator("img, script:not(:first-of-type)").count()).toBe(0);
    const frame = page.frames().find((f) => f !== page.mainFrame())!;
    expect(await frame.evaluate(() => (window as any).pwned)).toBeUndefined();
    await page.close();

    const operator = await browser.newPage();
    await operator.goto(`${planted.base}/ui`);
    expect(await operator.locator("body").textContent()).toContain(PLANTED);
    expect(await operator.locator("img").count()).toBe(0);
    expect(await operator.evaluate(() => (window as any).pwned)).toBeUndefined();
    await operator.close();
  });
});
