import { describe, expect, it } from "vitest";
import { order, plain, rank, type Spec } from "../helpers/stack-rank.ts";

/**
 * Blame that moves along the stack: a value a library or a check rejected goes to the frame that made it,
 * past frames that only passed it on; a frame that only builds the exception, and a loop that reached its
 * limit.
 */

describe("stack candidates: where a bad value came from", () => {
  it("hands a value a library rejected up to the frame that made it, past frames that only passed it on", async () => {
    const files = {
      "src/main/java/a/Props.java": [
        "class Props {",
        "  void convert(Properties props, String s) {",
        "    setProperty(s, props.getProperty(s));",
        "  }",
        "  void setProperty(String key, Object value) {",
        "    addInternal(key, value);",
        "  }",
        "  void addInternal(String key, Object value) {",
        "    super.put(key, value);",
        "  }",
        "}",
      ].join("\n"),
    };
    const frames: Spec[] = [
      { path: null, fn: "put", line: 465, library: true },
      { path: "src/main/java/a/Props.java", fn: "addInternal", line: 9 },
      { path: "src/main/java/a/Props.java", fn: "setProperty", line: 6 },
      { path: "src/main/java/a/Props.java", fn: "convert", line: 3 },
    ];
    const out = await rank("NullPointerException", "", frames, files);
    expect(order(out)[0]).toBe("convert");
    expect(out.find((c) => c.function === "convert")!.reasons.join(" ")).toMatch(/through 2 unchanged call/);
    expect(order(await rank("NullPointerException", "", frames, files, ["forwarded-argument"]))[0]).toBe(
      "addInternal",
    );
    // Thrown by the application's own code, not by a library it handed the value to: no hand-off.
    expect(order(await rank("NullPointerException", "", frames.slice(1), files))[0]).toBe("addInternal");
  });

  it("says so when only test code is in-app", async () => {
    const out = await rank(
      "AssertionError",
      "expected 3",
      [{ path: "src/test/java/a/ATest.java", fn: "testA", line: 3 }],
      {},
    );
    expect(out).toHaveLength(1);
    expect(out[0]!.reasons.join(" ")).toMatch(/only in-app code on the stack/);
  });

  it("passes over a frame that only builds the exception to the caller that raised it", async () => {
    const files = {
      "src/main/java/a/Errors.java": [
        "class Errors {",
        "  static RuntimeException bad() {",
        '    return new IllegalArgumentException("bad");',
        "  }",
        "}",
      ].join("\n"),
      "src/main/java/a/Dist.java": plain,
    };
    const frames: Spec[] = [
      { path: "src/main/java/a/Errors.java", fn: "bad", line: 3 },
      { path: "src/main/java/a/Dist.java", fn: "a", line: 3 },
    ];
    expect(order(await rank("IllegalArgumentException", "", frames, files))[0]).toBe("a");
    expect(order(await rank("IllegalArgumentException", "", frames, files, ["exception-factory"]))[0]).toBe(
      "bad",
    );
  });

  it("blames the loop that never finished when a limit is reached", async () => {
    const counter = [
      "class Base {",
      "  void count() {",
      "    if (n++ > max) throw new TooManyEvaluationsException(max);",
      "  }",
      "}",
    ].join("\n");
    const solver = [
      "class Brent {",
      "  double doSolve() {",
      "    while (true) {",
      "      count();",
      "    }",
      "  }",
      "}",
    ].join("\n");
    const files = {
      "src/main/java/a/Base.java": counter,
      "src/main/java/a/Brent.java": solver,
      "src/main/java/a/C.java": plain,
    };
    const frames: Spec[] = [
      { path: "src/main/java/a/Base.java", fn: "count", line: 3 },
      { path: "src/main/java/a/C.java", fn: "a", line: 3 },
      { path: "src/main/java/a/Brent.java", fn: "doSolve", line: 4 },
    ];
    const type = "TooManyEvaluationsException";
    expect(order(await rank(type, "illegal state: maximal count (100) exceeded", frames, files))[0]).toBe(
      "doSolve",
    );
    expect(order(await rank(type, "", frames, files, ["limit-loop"]))[0]).toBe("count");
    // The same stack with an ordinary error keeps the frame that threw on top.
    expect(order(await rank("IllegalStateException", "", frames, files))[0]).toBe("count");
  });

  it("blames the caller for a null it passed, not the function that only used it", async () => {
    const files = {
      "app/formatting.py": [
        "def format_address(addr):",
        '    """One line per field."""',
        "    return addr.name",
      ].join("\n"),
      "app/emails.py": ["def build(order):", "    return format_address(order.shipping)"].join("\n"),
    };
    const frames: Spec[] = [
      { path: "app/formatting.py", fn: "format_address", line: 3 },
      { path: "app/emails.py", fn: "build", line: 2 },
    ];
    const error = "'NoneType' object has no attribute 'name'";
    expect(order(await rank("AttributeError", error, frames, files))[0]).toBe("build");
    expect(order(await rank("AttributeError", error, frames, files, ["null-argument"]))[0]).toBe(
      "format_address",
    );
    const reassigned = {
      ...files,
      "app/formatting.py": [
        "def format_address(addr):",
        "    addr = lookup(addr)",
        "    return addr.name",
      ].join("\n"),
    };
    expect(order(await rank("AttributeError", error, frames, reassigned))[0]).toBe("format_address");
  });

  it("follows a null up past callers that only passed it on, to the frame that made it", async () => {
    const files = {
      "src/main/java/g/Line.java": [
        "class Line {",
        "  double getAbscissa(final Vector3D point) {",
        "    return point.subtract(zero).dotProduct(direction);",
        "  }",
        "  Vector1D toSubSpace(final Vector<Euclidean3D> point) {",
        "    return new Vector1D(getAbscissa((Vector3D) point));",
        "  }",
        "}",
      ].join("\n"),
      "src/main/java/g/SubLine.java": [
        "class SubLine {",
        "  Vector3D intersection(final SubLine subLine) {",
        "    Vector3D v1D = line.intersection(subLine.line);",
        "    Location loc1 = remainingRegion.checkPoint(line.toSubSpace(v1D));",
        "    return v1D;",
        "  }",
        "}",
      ].join("\n"),
    };
    const frames: Spec[] = [
      { path: "src/main/java/g/Line.java", fn: "getAbscissa", line: 3 },
      { path: "src/main/java/g/Line.java", fn: "toSubSpace", line: 6 },
      { path: "src/main/java/g/SubLine.java", fn: "intersection", line: 4 },
    ];
    const out = await rank("NullPointerException", "", frames, files);
    expect(order(out)[0]).toBe("intersection");
    expect(out.find((c) => c.function === "intersection")!.reasons.join(" ")).toMatch(
      /passed the empty `point` to getAbscissa through 1 call\(s\) that only passed it on/,
    );
  });

  it("trusts a check on an unchanged argument and blames the caller that passed the value", async () => {
    const assert = [
      "export function assertPositive(value: number, name: string): number {",
      '  if (!(value > 0)) throw new Error(name + " must be positive");',
      "  return value;",
      "}",
    ].join("\n");
    const state = [
      "export function take(n: number): number {",
      '  if (n > this.limit) throw new Error("over");',
      "  return n;",
      "}",
    ].join("\n");
    const caller = [
      "export function quote(a: number) {",
      "  return assertPositive(a * rate, 'credit');",
      "}",
    ].join("\n");
    const files = { "src/lib/assert.ts": assert, "src/lib/take.ts": state, "src/fx/quote.ts": caller };
    const frames = (path: string, fn: string): Spec[] => [
      { path, fn, line: 2 },
      { path: "src/fx/quote.ts", fn: "quote", line: 2 },
    ];
    expect(
      order(
        await rank("Error", "credit must be positive", frames("src/lib/assert.ts", "assertPositive"), files),
      )[0],
    ).toBe("quote");
    expect(
      order(
        await rank("Error", "", frames("src/lib/assert.ts", "assertPositive"), files, ["checked-argument"]),
      )[0],
    ).toBe("assertPositive");
    // A check against the object's own state is the callee's business: it stays on top.
    expect(order(await rank("Error", "over", frames("src/lib/take.ts", "take"), files))[0]).toBe("take");
  });

  it("trusts a check on a value computed from the arguments by library calls, not by the function's own code", async () => {
    const digit = (expr: string) =>
      [
        "class Utils {",
        "  static int digit16(byte b) throws DecoderException {",
        `    int i = ${expr};`,
        "    if (i == -1) {",
        '      throw new DecoderException("not a valid digit: " + b);',
        "    }",
        "    return i;",
        "  }",
        "}",
      ].join("\n");
    const codec = [
      "class Codec {",
      "  byte[] decode(byte[] bytes) {",
      "    int u = Utils.digit16(bytes[i]);",
      "  }",
      "}",
    ].join("\n");
    const frames: Spec[] = [
      { path: "src/main/java/c/Utils.java", fn: "digit16", line: 5 },
      { path: "src/main/java/c/Codec.java", fn: "decode", line: 3 },
    ];
    const withFiles = (expr: string) => ({
      "src/main/java/c/Utils.java": digit(expr),
      "src/main/java/c/Codec.java": codec,
    });
    const library = await rank(
      "DecoderException",
      "not a valid digit: 13",
      frames,
      withFiles("Character.digit((char) b, 16)"),
    );
    expect(order(library)[0]).toBe("decode");
    expect(library.find((c) => c.function === "digit16")!.reasons.join(" ")).toMatch(
      /rejects its argument `i` as it should/,
    );
    // Computed by the function's own helper: that helper may be the bug, so the throw site keeps its place.
    const own = await rank(
      "DecoderException",
      "not a valid digit: 13",
      frames,
      withFiles("lookup((char) b)"),
    );
    expect(order(own)[0]).toBe("digit16");
  });
});
