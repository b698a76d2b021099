import { describe, expect, it } from "vitest";
import {
  type GuardPolicy,
  hostAllowed,
  originAllowed,
  tokenMatches,
} from "../../src/transports/http-guard.ts";

const loopback: GuardPolicy = { bindHost: "127.0.0.1", allowedHosts: [], allowedOrigins: [], token: null };
const exposed: GuardPolicy = {
  bindHost: "0.0.0.0",
  allowedHosts: ["mcp.internal.example.com"],
  allowedOrigins: ["https://tools.example.com"],
  token: "t",
};

describe("Host check", () => {
  it("accepts loopback names with any port when bound to loopback", () => {
    for (const host of ["localhost:3939", "127.0.0.1:3939", "[::1]:3939", "localhost"])
      expect(hostAllowed(host, loopback)).toBe(true);
  });
  it("rejects a rebinding hostname and a missing Host", () => {
    expect(hostAllowed("attacker.example:3939", loopback)).toBe(false);
    expect(hostAllowed(undefined, loopback)).toBe(false);
  });
  it("accepts configured names when exposed", () => {
    expect(hostAllowed("mcp.internal.example.com", exposed)).toBe(true);
    expect(hostAllowed("mcp.internal.example.com:443", exposed)).toBe(true);
    expect(hostAllowed("other.example.com", exposed)).toBe(false);
  });
  it("accepts the bound address itself", () => {
    expect(hostAllowed("10.0.0.5:8080", { ...loopback, bindHost: "10.0.0.5" })).toBe(true);
  });
});

describe("Origin check", () => {
  it("lets non-browser clients (no Origin) through", () => {
    expect(originAllowed(undefined, loopback)).toBe(true);
  });
  it("accepts local pages and configured origins, rejects others", () => {
    expect(originAllowed("http://localhost:6274", loopback)).toBe(true);
    expect(originAllowed("https://tools.example.com", exposed)).toBe(true);
    expect(originAllowed("https://evil.example", loopback)).toBe(false);
    expect(originAllowed("null", loopback)).toBe(false);
  });
});

describe("bearer token", () => {
  it("matches only the exact token", () => {
    expect(tokenMatches("Bearer s3cret-token-value", "s3cret-token-value")).toBe(true);
    expect(tokenMatches("bearer s3cret-token-value", "s3cret-token-value")).toBe(true);
    expect(tokenMatches("Bearer s3cret-token-valuX", "s3cret-token-value")).toBe(false);
    expect(tokenMatches("s3cret-token-value", "s3cret-token-value")).toBe(false);
    expect(tokenMatches(undefined, "s3cret-token-value")).toBe(false);
    expect(tokenMatches("Bearer ", "s3cret-token-value")).toBe(false);
  });
});
