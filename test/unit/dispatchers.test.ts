import { describe, expect, it } from "vitest";
import type { AppError } from "../../src/errors.ts";
import { jsonRequest } from "../../src/handoff/http.ts";
import { createDispatcher } from "../../src/handoff/targets.ts";
import type { TargetConfig } from "../../src/handoff/types.ts";
import { serveJson } from "../fakes/serve.ts";

import { closeFakesAfterEach, deps, failure, SECRET, target, track } from "../helpers/dispatch.ts";

closeFakesAfterEach();

describe("createDispatcher configuration", () => {
  it("names what to set when a credential is missing", () => {
    const err = (t: TargetConfig) => {
      try {
        createDispatcher(t, deps);
      } catch (error) {
        return error as AppError;
      }
      throw new Error("expected a configuration error");
    };
    expect(err(target("cursor")).hint).toMatch(/CURSOR_API_KEY/);
    expect(err(target("copilot")).hint).toMatch(/GITHUB_TOKEN/);
    expect(err(target("claude_action")).hint).toMatch(/GITHUB_TOKEN/);
    expect(err(target("webhook", { secret: SECRET })).message).toMatch(/no url/);
    expect(err(target("webhook", { url: "http://127.0.0.1:9" })).hint).toMatch(/secretEnv/);
    for (const t of ["cursor", "copilot", "claude_action", "webhook"] as const)
      expect(err(target(t)).kind).toBe("config");
  });
});

describe("agent HTTP", () => {
  it("times out, caps the response size, and retries a failed GET once", async () => {
    let calls = 0;
    const server = await track(
      serveJson(() =>
        ++calls === 1 ? { status: 502, body: {} } : { status: 200, body: { big: "x".repeat(5000) } },
      ),
    );
    const res = await jsonRequest("Test", "GET", server.url);
    expect(res.status).toBe(200);
    expect(calls).toBe(2);
    expect(await failure(jsonRequest("Test", "GET", server.url, { maxBytes: 1000 }))).toMatchObject({
      kind: "upstream",
    });
    server.setLatency(300);
    const slow = await failure(jsonRequest("Test", "POST", server.url, { body: {}, timeoutMs: 50 }));
    expect(slow.message).toMatch(/did not answer/);
  });
});
