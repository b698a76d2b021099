import { describe, expect, it } from "vitest";
import { normalizeEvent } from "../../src/sentry/normalize-event.ts";
import { normalizeIssue, normalizeRelease } from "../../src/sentry/normalize-issue.ts";

describe("normalizeIssue", () => {
  it("reads string counts, numeric user counts and nullable fields", () => {
    const issue = normalizeIssue({
      id: "6507376925",
      shortId: "CLOUDFLARE-MCP-41",
      title: "Error: boom",
      culprit: null,
      count: "25",
      userCount: 1,
      project: { id: "4509062593708032", slug: "cloudflare-mcp", name: "CLOUDFLARE-MCP", platform: "bun" },
      firstSeen: "2025-04-03T22:51:19.403000Z",
      lastSeen: "2025-04-12T11:34:11Z",
      seerFixabilityScore: "0.61",
      assignedTo: { type: "team", id: "3", name: "payments" },
      tags: [{ key: "browser", totalValues: 12 }, { key: null }],
    });
    expect(issue).toMatchObject({
      id: "6507376925",
      count: 25,
      userCount: 1,
      culprit: null,
      fixabilityScore: 0.61,
      assignedTo: "team payments",
    });
    expect(issue.firstSeen).toBe("2025-04-03T22:51:19.403Z");
    expect(issue.tagKeys).toEqual([{ key: "browser", totalValues: 12 }]);
  });

  it("never throws on junk", () => {
    for (const junk of [null, 7, "x", [], { project: "slug-only", count: {} }]) {
      const issue = normalizeIssue(junk);
      expect(issue.title).toBeTypeOf("string");
    }
    expect(normalizeIssue({ project: "slug-only" }).project.slug).toBe("slug-only");
  });

  it("reads releases as objects, strings or nothing", () => {
    expect(normalizeRelease("orders@1.2.3")?.version).toBe("orders@1.2.3");
    expect(
      normalizeRelease({ version: "v1", commitCount: "3", lastCommit: { id: "abc", message: "fix" } }),
    ).toMatchObject({ version: "v1", commitCount: 3, lastCommit: { id: "abc" } });
    expect(normalizeRelease(null)).toBeNull();
    expect(normalizeRelease({ version: "" })).toBeNull();
  });
});

const apiEvent = {
  id: "a".repeat(32),
  groupID: "1",
  projectID: "2",
  type: "error",
  platform: "node",
  message: "",
  dateCreated: "2026-11-28T10:00:00Z",
  entries: [
    {
      type: "exception",
      data: {
        values: [
          {
            type: "KeyError",
            value: "'sku'",
            mechanism: { type: "chained", handled: false },
            stacktrace: {
              frames: [
                {
                  filename: "a.py",
                  lineNo: "3",
                  inApp: true,
                  context: [
                    [2, "x"],
                    [3, "y"],
                  ],
                },
              ],
            },
          },
          {
            type: "OrderError",
            value: "wrap",
            stacktrace: null,
            rawStacktrace: { frames: [{ filename: "b.py", lineNo: 9 }] },
          },
        ],
      },
    },
    {
      type: "breadcrumbs",
      data: {
        values: [
          { timestamp: 1764324000.5, category: "http", level: "info", message: null, data: { url: "/x" } },
        ],
      },
    },
    {
      type: "request",
      data: {
        method: "GET",
        url: "https://x/y",
        query: "a=1&token=2",
        headers: [
          ["Cookie", "s=1"],
          ["X", null],
        ],
        cookies: "s=1; t=2",
      },
    },
    { type: "debugmeta", data: { images: [] } },
    { type: "future_thing", data: { anything: true } },
  ],
  contexts: {
    trace: { trace_id: "b".repeat(32), span_id: "c".repeat(16), type: "trace" },
    profile: { profile_id: "d".repeat(32) },
    replay: { replay_id: "e".repeat(32) },
  },
  tags: [
    { key: "environment", value: "production" },
    { key: "release", value: "orders@2.0.0" },
    { key: null, value: "x" },
    { key: "bad", value: null },
  ],
  release: null,
  errors: [{ type: "js_no_source", message: "Source code was not found", data: { url: "/index.js" } }],
};

describe("normalizeEvent (REST API shape)", () => {
  const event = normalizeEvent(apiEvent);
  it("keeps the exception chain order and reads both stacktrace fields", () => {
    expect(event.exceptions.map((e) => e.type)).toEqual(["KeyError", "OrderError"]);
    expect(event.exceptions[0]!.stacktrace!.frames[0]).toMatchObject({
      filename: "a.py",
      lineNo: 3,
      inApp: true,
      context: [
        [2, "x"],
        [3, "y"],
      ],
    });
    expect(event.exceptions[1]!.stacktrace).toBeNull();
    expect(event.exceptions[1]!.rawStacktrace!.frames[0]!.lineNo).toBe(9);
  });
  it("reads links, tags, release from tags and environment", () => {
    expect(event.trace).toMatchObject({ traceId: "b".repeat(32), spanId: "c".repeat(16) });
    expect(event.profileId).toBe("d".repeat(32));
    expect(event.replayId).toBe("e".repeat(32));
    expect(event.tags).toEqual([
      ["environment", "production"],
      ["release", "orders@2.0.0"],
    ]);
    expect(event.environment).toBe("production");
    expect(event.release?.version).toBe("orders@2.0.0");
    expect(event.message).toBeNull();
  });
  it("reads request query strings and cookie strings, drops null headers", () => {
    expect(event.request?.query).toEqual([
      ["a", "1"],
      ["token", "2"],
    ]);
    expect(event.request?.cookies).toEqual([
      ["s", "1"],
      ["t", "2"],
    ]);
    expect(event.request?.headers).toEqual([["Cookie", "s=1"]]);
  });
  it("keeps unknown entries opaque and epoch breadcrumb timestamps readable", () => {
    expect(event.otherEntries.map((e) => e.type)).toEqual(["debugmeta", "future_thing"]);
    expect(event.breadcrumbs[0]!.timestamp).toBe("2025-11-28T10:00:00.500Z");
    expect(event.errors[0]!.type).toBe("js_no_source");
  });
});

describe("normalizeEvent (raw / webhook shape)", () => {
  const raw = normalizeEvent({
    event_id: "f".repeat(32),
    issue_id: "77",
    project: 5,
    datetime: "2026-11-28T10:00:00.000000Z",
    release: "web@1.0.0",
    tags: [
      ["environment", "prod"],
      ["level", "error"],
    ],
    exception: {
      values: [
        {
          type: "ValueError",
          value: "bad",
          stacktrace: {
            frames: [
              {
                abs_path: "/srv/app/x.py",
                filename: "app/x.py",
                lineno: 10,
                in_app: true,
                function: "f",
                pre_context: ["a", "b"],
                context_line: "c",
                post_context: ["d"],
              },
            ],
          },
        },
      ],
    },
    request: { method: "POST", url: "https://x/", query_string: "q=1" },
    logentry: { formatted: "hello" },
  });
  it("reads snake_case frames and rebuilds the source context", () => {
    const f = raw.exceptions[0]!.stacktrace!.frames[0]!;
    expect(f).toMatchObject({ absPath: "/srv/app/x.py", lineNo: 10, inApp: true });
    expect(f.context).toEqual([
      [8, "a"],
      [9, "b"],
      [10, "c"],
      [11, "d"],
    ]);
  });
  it("reads ids, pair tags, string release and query_string", () => {
    expect(raw).toMatchObject({
      id: "f".repeat(32),
      groupId: "77",
      projectId: "5",
      environment: "prod",
      message: "hello",
    });
    expect(raw.release?.version).toBe("web@1.0.0");
    expect(raw.request?.query).toEqual([["q", "1"]]);
  });
  it("accepts a single exception object instead of values[]", () => {
    const single = normalizeEvent({
      entries: [{ type: "exception", data: { value: { type: "E", value: "v" } } }],
    });
    expect(single.exceptions.map((e) => e.type)).toEqual(["E"]);
  });
  it("never throws on junk", () => {
    for (const junk of [
      null,
      [],
      "x",
      { entries: "nope" },
      { entries: [null, 1, { type: "exception", data: null }] },
      { contexts: [] },
    ]) {
      expect(normalizeEvent(junk).type).toBeTypeOf("string");
    }
  });
});
