import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HttpHandle, serveHttp } from "../../src/transports/http.ts";
import { type HandoffSetup, HOOK_SECRET, HOOK2_SECRET, handoffSetup } from "../helpers/handoff-targets.ts";

/**
 * Agents' status callbacks over the real HTTP transport (`POST /webhooks/webhook`), signed as receivers sign
 * them: a callback may touch only the dispatch it was given (its target's secret and its own callback
 * token), may only report plain https links (a PR of the dispatched repository), and cannot move a
 * finished dispatch backwards.
 */

let setup: HandoffSetup;
let http: HttpHandle;
let runId: string;
const sent: Record<string, { dispatch_id: string; callback_url: string }> = {};

beforeAll(async () => {
  setup = await handoffSetup({}, ["--transport", "http", "--port", "0"]);
  http = await serveHttp(setup.context);
  runId = (await setup.call("analyze_root_cause", { issue: setup.issue })).out.run_id;
  for (const target of ["hook", "hook2"] as const) {
    const res = await setup.call("hand_off", { run_id: runId, target });
    expect(res.isError).toBe(false);
  }
  sent.hook = setup.hook.deliveries[0]!.body as (typeof sent)["hook"];
  sent.hook2 = setup.hook2.deliveries[0]!.body as (typeof sent)["hook2"];
});
afterAll(async () => {
  await http?.close();
  await setup?.close();
});

async function callback(
  secret: string,
  body: Record<string, unknown>,
  token: string | null,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const raw = JSON.stringify(body);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = createHmac("sha256", secret).update(`${timestamp}.${raw}`).digest("hex");
  const base = new URL(http.url).origin;
  const res = await fetch(`${base}/webhooks/webhook${token === null ? "" : `?token=${token}`}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-autofix-timestamp": timestamp,
      "x-autofix-signature": `sha256=${signature}`,
    },
    body: raw,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const tokenOf = (target: "hook" | "hook2") => new URL(sent[target]!.callback_url).searchParams.get("token");

async function dispatches(): Promise<Array<Record<string, unknown>>> {
  return (await setup.call("get_run", { run_id: runId })).out.run.dispatches;
}

describe("agent callbacks", () => {
  it("gives each dispatch its own random callback token", () => {
    expect(tokenOf("hook")).toMatch(/^[\w-]{32}$/);
    expect(tokenOf("hook2")).toMatch(/^[\w-]{32}$/);
    expect(tokenOf("hook")).not.toBe(tokenOf("hook2"));
  });

  it("refuses a callback signed for one target that names another target's dispatch", async () => {
    const forged = {
      dispatch_id: sent.hook2!.dispatch_id,
      status: "completed",
      pr_url: "https://github.com/acme/invoicing/pull/666",
    };
    expect((await callback(HOOK_SECRET, forged, tokenOf("hook"))).status).toBe(404);
    expect((await callback(HOOK_SECRET, forged, tokenOf("hook2"))).status).toBe(404);
    const hook2 = (await dispatches()).find((d) => d.target === "hook2")!;
    expect(hook2.status).not.toBe("completed");
    expect(hook2.pr_url).toBeNull();
  });

  it("refuses a callback without the dispatch's own token", async () => {
    const body = { dispatch_id: sent.hook!.dispatch_id, status: "running" };
    const none = await callback(HOOK_SECRET, body, null);
    expect(none.status).toBe(401);
    expect(String(none.body.error)).toContain("callback_url");
    expect((await callback(HOOK_SECRET, body, tokenOf("hook2"))).status).toBe(401);
  });

  it("refuses links that are not plain https, or a PR of another repository", async () => {
    const base = { dispatch_id: sent.hook2!.dispatch_id, status: "completed" };
    for (const pr_url of [
      "https://github.com/acme/invoicing/pull/7\n# Injected heading\n[click](javascript:alert(1))",
      "javascript:alert(1)",
      "http://github.com/acme/invoicing/pull/7",
      "https://github.com/attacker/exfil/pull/7",
      `https://github.com/acme/invoicing/pull/7?${"x".repeat(600)}`,
    ]) {
      const res = await callback(HOOK2_SECRET, { ...base, pr_url }, tokenOf("hook2"));
      expect(res.status, pr_url.slice(0, 40)).toBe(422);
      expect(String(res.body.error)).toContain("pr_url");
    }
    const bad = await callback(HOOK2_SECRET, { ...base, url: "https://x.example/\u0007" }, tokenOf("hook2"));
    expect(bad.status).toBe(422);
    const text = (await setup.call("get_run", { run_id: runId })).text;
    expect(text).not.toContain("Injected heading");
    expect(text).not.toContain("javascript:");
  });

  it("records a good callback as data, and a finished dispatch stays finished", async () => {
    const done = {
      dispatch_id: sent.hook2!.dispatch_id,
      status: "completed",
      url: "https://agents.example.com/runs/42",
      pr_url: "https://github.com/acme/invoicing/pull/7",
    };
    expect((await callback(HOOK2_SECRET, done, tokenOf("hook2"))).status).toBe(200);
    const late = await callback(
      HOOK2_SECRET,
      { dispatch_id: sent.hook2!.dispatch_id, status: "running" },
      tokenOf("hook2"),
    );
    expect(late).toMatchObject({ status: 200, body: { status: "ignored" } });
    const hook2 = (await dispatches()).find((d) => d.target === "hook2")!;
    expect(hook2).toMatchObject({ status: "completed", pr_url: done.pr_url });
    const text = (await setup.call("get_run", { run_id: runId })).text;
    expect(text).toContain("`https://github.com/acme/invoicing/pull/7`");
  });
});
