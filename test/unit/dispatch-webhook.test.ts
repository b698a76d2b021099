import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createDispatcher } from "../../src/handoff/targets.ts";
import { verifyAutofixCallback } from "../../src/handoff/webhook.ts";
import { startWebhookReceiver } from "../fakes/webhook-receiver.ts";

import { closeFakesAfterEach, deps, failure, req, SECRET, target, track } from "../helpers/dispatch.ts";

closeFakesAfterEach();

describe("webhook dispatcher", () => {
  const setup = async () => {
    const receiver = await track(startWebhookReceiver({ secret: SECRET }));
    const d = createDispatcher(
      target("webhook", { url: `${receiver.url}/hooks/autofix`, secret: SECRET }),
      deps,
    );
    return { receiver, d };
  };

  it("POSTs the signed brief with an idempotency key", async () => {
    const { receiver, d } = await setup();
    const result = await d.dispatch(req({ callbackUrl: "https://autofix.example/webhooks/webhook" }));
    const delivery = receiver.deliveries[0]!;
    expect(delivery.verified).toBe(true);
    expect(delivery.headers).toMatchObject({
      "content-type": "application/json",
      "idempotency-key": "run_abc123:agent:acme/api",
      "x-autofix-timestamp": "1767000000",
    });
    expect(delivery.body).toEqual({
      dispatch_id: "run_abc123:agent:acme/api",
      run_id: "run_abc123",
      short_id: "API-42",
      brief: req().brief,
      pr_title: "fix(billing): default the missing plan",
      pr_body: "Fixes API-42",
      branch: "autofix/api-42-keyerror-abc123",
      base_branch: "main",
      repository: "acme/api",
      auto_create_pr: true,
      callback_url: "https://autofix.example/webhooks/webhook",
    });
    expect(result).toEqual({
      externalId: "run_abc123:agent:acme/api",
      status: "queued",
      url: null,
      prUrl: null,
      adopted: false,
    });
  });

  it("reads the receiver's answer, reports a deduplicated resend as adopted, and maps errors", async () => {
    const { receiver, d } = await setup();
    receiver.reply = {
      status: 200,
      body: { id: "job-9", status: "running", url: "https://ci.example/job/9" },
    };
    const first = await d.dispatch(req());
    expect(first).toMatchObject({ externalId: "job-9", status: "running", url: "https://ci.example/job/9" });
    expect(await d.status("job-9", req())).toMatchObject({ status: "running" });
    receiver.dedupe = true;
    expect((await d.dispatch(req())).adopted).toBe(true);

    receiver.reply = { status: 401, body: { error: "bad signature" } };
    expect(await failure(d.dispatch(req({ dispatchId: "x" })))).toMatchObject({
      kind: "config",
      status: 401,
    });
    receiver.reply = { status: 503, body: { error: "down" } };
    const before = receiver.deliveries.length;
    expect(await failure(d.dispatch(req({ dispatchId: "y" })))).toMatchObject({
      kind: "upstream",
      status: 503,
    });
    expect(receiver.deliveries.length).toBe(before + 1); // a POST is never resent blindly
  });

  describe("verifyAutofixCallback", () => {
    const now = 1_767_000_000;
    const signed = (body: unknown, ts = now, secret = SECRET) => {
      const raw = JSON.stringify(body);
      const sig = createHmac("sha256", secret).update(`${ts}.${raw}`).digest("hex");
      return {
        raw: Buffer.from(raw),
        headers: { "x-autofix-timestamp": String(ts), "x-autofix-signature": `sha256=${sig}` },
      };
    };
    const body = {
      dispatch_id: "run_1:hook:acme/api",
      status: "completed",
      pr_url: "https://github.com/acme/api/pull/4",
    };

    it("accepts a good signature", () => {
      const { raw, headers } = signed(body);
      expect(verifyAutofixCallback(raw, headers, SECRET, now + 10)).toEqual({
        externalId: "run_1:hook:acme/api",
        state: { status: "completed", url: null, prUrl: "https://github.com/acme/api/pull/4", summary: null },
      });
      const byId = signed({ id: "job-9", status: "failed", summary: "tests failed" });
      expect(verifyAutofixCallback(byId.raw, byId.headers, SECRET, now).state).toMatchObject({
        status: "failed",
      });
    });

    it("rejects a bad signature, a tampered body and a stale timestamp", () => {
      const wrong = signed(body, now, "another-secret");
      expect(() => verifyAutofixCallback(wrong.raw, wrong.headers, SECRET, now)).toThrow(
        /invalid callback signature/,
      );
      const { raw, headers } = signed(body);
      const tampered = Buffer.from(raw.toString().replace("completed", "failed"));
      expect(() => verifyAutofixCallback(tampered, headers, SECRET, now)).toThrow(
        /invalid callback signature/,
      );
      const stale = signed(body, now - 301);
      try {
        verifyAutofixCallback(stale.raw, stale.headers, SECRET, now);
        throw new Error("accepted a stale callback");
      } catch (error) {
        expect(error).toMatchObject({ kind: "input", status: 401, message: expect.stringMatching(/stale/) });
      }
      expect(() => verifyAutofixCallback(raw, {}, SECRET, now)).toThrow(/signature/);
    });
  });
});
