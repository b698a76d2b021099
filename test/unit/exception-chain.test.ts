import { describe, expect, it } from "vitest";
import {
  culpritFrame,
  exceptionChain,
  inAppFramesNearestThrow,
  primaryStack,
} from "../../src/analysis/exception-chain.ts";
import { normalizeEvent } from "../../src/sentry/normalize-event.ts";

const f = (filename: string, fn: string, inApp = true) => ({ filename, function: fn, lineNo: 1, inApp });
const ev = (values: unknown[], extra: Record<string, unknown> = {}) =>
  normalizeEvent({ entries: [{ type: "exception", data: { values } }], ...extra });

describe("exceptionChain", () => {
  it("takes the oldest value as the origin and the last as raised", () => {
    const chain = exceptionChain(ev([{ type: "KeyError" }, { type: "ServiceError" }, { type: "HTTPError" }]));
    expect(chain.links.map((l) => l.role)).toEqual(["origin", "wrapper", "raised"]);
    expect(chain.origin?.exception.type).toBe("KeyError");
  });

  it("skips a synthetic wrapper when choosing the origin", () => {
    const chain = exceptionChain(
      ev([{ type: "Error", mechanism: { synthetic: true } }, { type: "TypeError" }]),
    );
    expect(chain.origin?.exception.type).toBe("TypeError");
  });

  it("uses the first leaf of an exception group", () => {
    const chain = exceptionChain(
      ev([
        { type: "ExceptionGroup", mechanism: { is_exception_group: true, exception_id: 0 } },
        { type: "ValueError", mechanism: { exception_id: 1, parent_id: 0 } },
        { type: "KeyError", mechanism: { exception_id: 2, parent_id: 0 } },
      ]),
    );
    expect(chain.isGroup).toBe(true);
    expect(chain.origin?.exception.type).toBe("ValueError");
    expect(chain.raised?.exception.type).toBe("ExceptionGroup");
  });

  it("falls back to the thread an exception names, then to the crashed thread", () => {
    const event = normalizeEvent({
      entries: [
        { type: "exception", data: { values: [{ type: "SIGSEGV", threadId: 2, stacktrace: null }] } },
        {
          type: "threads",
          data: {
            values: [
              { id: 1, crashed: false, stacktrace: { frames: [f("a.c", "idle")] } },
              { id: 2, crashed: true, stacktrace: { frames: [f("b.c", "crash")] } },
            ],
          },
        },
      ],
    });
    expect(primaryStack(event)?.frames[0]?.function).toBe("crash");
  });
});

describe("culprit frames", () => {
  it("picks the in-app frame nearest the throw, skipping library frames at the top", () => {
    const event = ev([
      {
        type: "TypeError",
        stacktrace: {
          frames: [
            f("express/layer.js", "handle", false),
            f("routes.ts", "create"),
            f("pricing.ts", "apply"),
            f("lodash.js", "get", false),
          ],
        },
      },
    ]);
    const culprit = culpritFrame(event);
    expect(culprit?.frame.function).toBe("apply");
    expect(culprit?.distanceFromThrow).toBe(1);
    expect(inAppFramesNearestThrow(primaryStack(event)).map((r) => r.frame.function)).toEqual([
      "apply",
      "create",
    ]);
  });

  it("looks through the chain when the origin has only library frames", () => {
    const event = ev([
      { type: "ConnectionError", stacktrace: { frames: [f("urllib3/pool.py", "urlopen", false)] } },
      { type: "ServiceError", stacktrace: { frames: [f("app/client.py", "fetch_rates")] } },
    ]);
    expect(culpritFrame(event)?.frame.function).toBe("fetch_rates");
  });

  it("returns null when every frame is library code", () => {
    expect(culpritFrame(ev([{ type: "E", stacktrace: { frames: [f("lib.py", "x", false)] } }]))).toBeNull();
  });
});
