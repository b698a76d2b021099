import { describe, expect, it } from "vitest";
import { AppError } from "../../src/errors.ts";
import { assertSameSentry, parseIssueReference } from "../../src/sentry/references.ts";

const EVENT = "7ca573c0f4814912aaa9bdc77d1a7d51";

describe("parseIssueReference", () => {
  it.each([
    ["ORDERS-API-7A", { kind: "short", id: "ORDERS-API-7A", org: null, eventId: null }],
    ["orders-api-7a", { kind: "short", id: "ORDERS-API-7A" }],
    ["  CLOUDFLARE-MCP-41 ", { kind: "short", id: "CLOUDFLARE-MCP-41" }],
    ["4509062593", { kind: "numeric", id: "4509062593", org: null }],
    [
      "https://acme.sentry.io/issues/4509062593/",
      { kind: "numeric", id: "4509062593", org: "acme", host: "acme.sentry.io" },
    ],
    [
      `https://acme.sentry.io/issues/4509062593/events/${EVENT}/?project=1`,
      { id: "4509062593", org: "acme", eventId: EVENT },
    ],
    [
      "https://sentry.io/organizations/acme/issues/123/",
      { kind: "numeric", id: "123", org: "acme", host: "sentry.io" },
    ],
    ["https://us.sentry.io/organizations/acme/issues/123/", { org: "acme" }],
    [
      "https://sentry.example.com/organizations/acme/issues/77/events/latest/",
      { id: "77", org: "acme", eventId: "latest" },
    ],
    [
      "https://sentry.example.com/organizations/acme/issues/ORDERS-API-7A/",
      { kind: "short", id: "ORDERS-API-7A", org: "acme" },
    ],
    ["https://sentry.example.com/acme/orders-api/issues/55/", { id: "55", org: "acme" }],
    ["https://sentry.io/api/0/organizations/acme/issues/123/", { id: "123", org: "acme" }],
    ["https://sentry.io/api/0/issues/123/", { id: "123", org: null }],
    ["acme.sentry.io/issues/99/", { id: "99", org: "acme" }],
    [
      `https://acme.sentry.io/issues/9/events/${EVENT.slice(0, 8)}-${EVENT.slice(8, 12)}-${EVENT.slice(12, 16)}-${EVENT.slice(16, 20)}-${EVENT.slice(20)}/`,
      { eventId: EVENT },
    ],
  ])("reads %s", (input, expected) => {
    expect(parseIssueReference(input)).toMatchObject(expected);
  });

  it.each([
    "",
    "hello world",
    "https://acme.sentry.io/performance/",
    "12ab",
    "https://acme.sentry.io/issues/<script>/",
    "https://x.sentry.io/issues/1/events/nothex/",
  ])("rejects %j with a message that says what is accepted", (input) => {
    try {
      parseIssueReference(input);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).kind).toBe("input");
      expect(`${(error as AppError).message} ${(error as AppError).hint ?? ""}`).toMatch(
        /short ID|numeric|event ID|URL/,
      );
    }
  });
});

describe("assertSameSentry", () => {
  it("accepts the configured host and sentry.io subdomains on SaaS", () => {
    expect(() =>
      assertSameSentry(parseIssueReference("https://acme.sentry.io/issues/1/"), "https://sentry.io", true),
    ).not.toThrow();
    expect(() =>
      assertSameSentry(
        parseIssueReference("https://sentry.example.com/organizations/a/issues/1/"),
        "https://sentry.example.com",
        false,
      ),
    ).not.toThrow();
    expect(() =>
      assertSameSentry(parseIssueReference("ORDERS-1"), "https://sentry.example.com", false),
    ).not.toThrow();
  });

  it("refuses a URL on another host, so a pasted link cannot redirect requests", () => {
    expect(() =>
      assertSameSentry(
        parseIssueReference("https://evil.example.net/organizations/a/issues/1/"),
        "https://sentry.example.com",
        false,
      ),
    ).toThrow(/connected to sentry.example.com/);
    expect(() =>
      assertSameSentry(
        parseIssueReference("https://acme.sentry.io/issues/1/"),
        "https://sentry.example.com",
        false,
      ),
    ).toThrow(AppError);
    expect(() =>
      assertSameSentry(
        parseIssueReference("https://sentry.io.evil.net/organizations/a/issues/1/"),
        "https://sentry.io",
        true,
      ),
    ).toThrow(AppError);
  });
});
