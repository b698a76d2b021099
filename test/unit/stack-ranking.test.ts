import { describe, expect, it } from "vitest";
import {
  buildsExceptionOnly,
  insideLoop,
  passedNames,
  unchangedParameter,
} from "../../src/analysis/failing-line.ts";
import { isTestModule, isTestPath, testSubject } from "../../src/code/test-code.ts";
import { order, plain, rank, type Spec } from "../helpers/stack-rank.ts";

/**
 * The stack ranking over small real-shaped events and source files: each signal is shown to move the frame
 * it should, and to leave the plain stack order alone when it is switched off. Blame that moves up the
 * stack (values passed on, checks, limits) is in stack-blame.test.ts.
 */

describe("test code", () => {
  it("recognizes test files and test-support folders of the common ecosystems", () => {
    for (const p of [
      "src/test/java/com/acme/OrderServiceTest.java",
      "test/com/google/javascript/jscomp/TypeCheckTest.java",
      "src/com/google/javascript/rhino/testing/Asserts.java",
      "app/tests/test_orders.py",
      "conftest.py",
      "pkg/orders/orders_test.go",
      "web/src/cart.test.ts",
      "web/src/cart.spec.tsx",
    ])
      expect(isTestPath(p), p).toBe(true);
    for (const p of [
      "src/main/java/org/apache/commons/math3/stat/inference/ChiSquareTest.java",
      "src/main/java/com/acme/OrderService.java",
      "app/testing_utils.py",
      "src/contest/entry.ts",
    ])
      expect(isTestPath(p), p).toBe(false);
    expect(isTestModule("com.acme.OrderServiceTest$1")).toBe(true);
    expect(isTestModule("com.acme.OrderService")).toBe(false);
  });
});

describe("test subjects", () => {
  it("finds the production file a test is named after, in the mirrored folder when names repeat", () => {
    const files = [
      "src/main/java/org/acme/math/NumberUtils.java",
      "src/main/java/org/acme/text/NumberUtils.java",
      "src/test/java/org/acme/math/NumberUtilsTest.java",
      "src/main/java/org/acme/Parser.java",
      "lib/orders/pricing.py",
      "pkg/cart/cart.go",
      "src/checkout/total.ts",
      "src/checkout/total.js",
    ];
    expect(testSubject("src/test/java/org/acme/math/NumberUtilsTest.java", files)).toBe(
      "src/main/java/org/acme/math/NumberUtils.java",
    );
    expect(testSubject("src/test/java/org/acme/text/NumberUtilsTests.java", files)).toBe(
      "src/main/java/org/acme/text/NumberUtils.java",
    );
    expect(testSubject("src/test/java/org/acme/TestParser.java", files)).toBe(
      "src/main/java/org/acme/Parser.java",
    );
    expect(testSubject("src/test/java/org/acme/ParserTestCase.java", files)).toBe(
      "src/main/java/org/acme/Parser.java",
    );
    expect(testSubject("tests/orders/test_pricing.py", files)).toBe("lib/orders/pricing.py");
    expect(testSubject("pkg/cart/cart_test.go", files)).toBe("pkg/cart/cart.go");
    expect(testSubject("src/checkout/total.test.ts", files)).toBe("src/checkout/total.ts");
    // No naming convention, or nothing by that name: no subject.
    expect(testSubject("src/test/java/org/acme/Fixtures.java", files)).toBeNull();
    expect(testSubject("src/test/java/org/acme/LexerTest.java", files)).toBeNull();
    // A test never names another test as its subject.
    expect(testSubject("src/test/java/org/acme/math/NumberUtilsTestTest.java", files)).toBeNull();
  });
});

describe("failing-line readers", () => {
  it("tells an exception factory from a raise", () => {
    expect(buildsExceptionOnly("    return new IllegalArgumentException() {")).toBe(true);
    expect(buildsExceptionOnly('    throw new IllegalArgumentException("bad");')).toBe(false);
    expect(buildsExceptionOnly("    return compute(x);")).toBe(false);
  });

  it("finds the loop a line runs in, in brace languages and Python", () => {
    const java = [
      "class Solver {",
      "  double solve(double a) {",
      "    double x = a;",
      "    while (true) {",
      "      x = step(x);",
      "    }",
      "  }",
      "  double step(double x) {",
      "    return x / 2;",
      "  }",
      "}",
    ].join("\n");
    expect(insideLoop(java, 5, "java")).toBe(true);
    expect(insideLoop(java, 9, "java")).toBe(false);
    const py = ["def drain(q):", "    for item in q:", "        handle(item)", "    return None"].join("\n");
    expect(insideLoop(py, 3, "python")).toBe(true);
    expect(insideLoop(py, 4, "python")).toBe(false);
  });

  it("reads the names a line passes on, and nothing when it passes an expression", () => {
    expect(passedNames("    return Integer.decode(str);")).toEqual(["str"]);
    expect(passedNames("  addPropertyInternal(key, value);", "addPropertyInternal")).toEqual([
      "key",
      "value",
    ]);
    expect(passedNames('  log("x", y); return parse(text, 0);')).toBeNull();
    expect(passedNames("  c.setProperty(s, props.getProperty(s));", "setProperty")).toBeNull();
    expect(passedNames("  return decode(null);")).toBeNull();
    expect(passedNames("  return other(str);", "decode")).toBeNull();
  });

  it("tells an untouched parameter from a reassigned one", () => {
    const src = [
      "def format_address(addr, sep):",
      "    sep = sep or ', '",
      "    return addr.name + sep",
    ].join("\n");
    expect(unchangedParameter(src, 3, "addr", "python")).toBe(true);
    expect(unchangedParameter(src, 3, "sep", "python")).toBe(false);
    expect(unchangedParameter(src, 3, "order", "python")).toBe(false);
  });
});

describe("stack candidates", () => {
  it("keeps every production frame nearest the throw, test code last, and names no unmapped path", async () => {
    const frames: Spec[] = [
      { path: "src/main/java/a/A1.java", fn: "one", line: 3 },
      { path: "src/test/java/a/A1Test.java", fn: "testOne", line: 3 },
      { path: "src/main/java/a/A2.java", fn: "two", line: 3 },
      { path: null, fn: "generated", line: 3 },
      { path: "src/main/java/a/A3.java", fn: "three", line: 3 },
      { path: "src/main/java/a/A4.java", fn: "four", line: 3 },
      { path: "src/main/java/a/A5.java", fn: "five", line: 3 },
      { path: "src/main/java/a/A6.java", fn: "six", line: 3 },
    ];
    const out = await rank("IllegalStateException", "boom", frames, {});
    // An unmapped frame keeps its place, a little lower: it is named by function only.
    expect(order(out)).toEqual(["one", "two", "three", "generated", "four", "five", "six", "testOne"]);
    const unmapped = out.find((c) => c.function === "generated")!;
    expect(unmapped.path).toBeNull();
    expect(unmapped.repo).toBeNull();
    const test = out.find((c) => c.function === "testOne")!;
    expect(test.test).toBe(true);
    expect(test.reasons.join(" ")).toMatch(/test code/);
    // With test code treated like any other frame, the plain stack order comes back.
    const off = await rank("IllegalStateException", "boom", frames, {}, ["test-code"]);
    expect(order(off).slice(0, 3)).toEqual(["one", "testOne", "two"]);
  });

  it("names the failing test's subject on its frame and keeps the stack order", async () => {
    const frames: Spec[] = [
      { path: "src/main/java/a/Fraction.java", fn: "gcd", line: 3 },
      { path: "src/main/java/a/Dist.java", fn: "sample", line: 3 },
      { path: "src/test/java/a/DistTest.java", fn: "testSample", line: 3 },
    ];
    const files = { "src/main/java/a/Fraction.java": plain, "src/main/java/a/Dist.java": plain };
    const out = await rank("ArithmeticException", "overflow", frames, files);
    expect(order(out)).toEqual(["gcd", "sample", "testSample"]);
    expect(out.find((c) => c.function === "sample")!.reasons.join(" ")).toMatch(
      /DistTest.java .* tests Dist/,
    );
    expect(out.some((c) => c.source === "test_subject")).toBe(false);
  });

  it("adds a subject the stack never reached, at the function the test calls on its failing line", async () => {
    const test = [
      "class WriterTest {",
      "  void testRoundTrip() {",
      "    assertEquals(3, Reader.count(Writer.encode(items)));",
      "  }",
      "}",
    ].join("\n");
    const writer = [
      "class Writer {",
      "  static byte[] encode(List items) {",
      "    return null;",
      "  }",
      "}",
    ].join("\n");
    const files = {
      "src/test/java/a/WriterTest.java": test,
      "src/main/java/a/Writer.java": writer,
      "src/main/java/a/Reader.java": plain,
    };
    // A reader choked on what the subject wrote: the throw site stays first, the subject comes next.
    const readerThrew = await rank(
      "IOException",
      "Unknown property 128",
      [
        { path: "src/main/java/a/Reader.java", fn: "readHeader", line: 3 },
        { path: "src/main/java/a/Reader.java", fn: "count", line: 3 },
        { path: "src/test/java/a/WriterTest.java", fn: "testRoundTrip", line: 3 },
      ],
      files,
    );
    expect(order(readerThrew).slice(0, 3)).toEqual(["readHeader", "encode", "count"]);
    const added = readerThrew.find((c) => c.function === "encode")!;
    expect(added).toMatchObject({ path: "src/main/java/a/Writer.java", line: 2, source: "test_subject" });
    expect(added.reasons.join(" ")).toMatch(
      /tests Writer and calls encode on its failing line; the stack never/,
    );
    // The test itself failed (an assertion): the production frames only called back into it.
    const testThrew = await rank(
      "AssertionFailedError",
      "expected:<3> but was:<2>",
      [
        { path: "src/test/java/a/WriterTest.java", fn: "testRoundTrip", line: 3 },
        { path: "src/main/java/a/Reader.java", fn: "count", line: 3 },
      ],
      files,
    );
    expect(order(testThrew)[0]).toBe("encode");
    // An interface has no code to fix: it is not added.
    const asInterface = {
      ...files,
      "src/main/java/a/Writer.java": "public interface Writer {\n  byte[] encode(List items);\n}",
    };
    const none = await rank(
      "AssertionFailedError",
      "expected:<3> but was:<2>",
      [
        { path: "src/test/java/a/WriterTest.java", fn: "testRoundTrip", line: 3 },
        { path: "src/main/java/a/Reader.java", fn: "count", line: 3 },
      ],
      asInterface,
    );
    expect(none.some((c) => c.source === "test_subject")).toBe(false);
  });

  it("blames the loop that changed a collection, not the application's iterator that noticed", async () => {
    const files = {
      "src/main/java/m/HashMap.java": [
        "class HashMap {",
        "  void advance() {",
        "    if (referenceCount != count) {",
        "      throw MathRuntimeException.createConcurrentModificationException(LocalizedFormats.MAP_MODIFIED);",
        "    }",
        "  }",
        "}",
      ].join("\n"),
      "src/main/java/m/Vector.java": [
        "class Vector {",
        "  Vector ebeMultiply(Vector v) {",
        "    while (iter.hasNext()) { iter.advance(); res.setEntry(iter.key(), iter.value() * v.getEntry(iter.key())); }",
        "  }",
        "}",
      ].join("\n"),
    };
    const frames: Spec[] = [
      { path: "src/main/java/m/HashMap.java", fn: "advance", line: 4 },
      { path: "src/main/java/m/Vector.java", fn: "ebeMultiply", line: 3 },
    ];
    const label = "map has been modified while iterating";
    expect(order(await rank("MathRuntimeException$6", label, frames, files))[0]).toBe("ebeMultiply");
    expect(
      order(await rank("MathRuntimeException$6", label, frames, files, ["concurrent-modification"]))[0],
    ).toBe("advance");
    // Raised by the runtime on the iterating line itself (Python): that line is the loop, and keeps its place.
    const python = {
      "app/cart.py": ["def prune(items):", "    for k in items:", "        del items[k]"].join("\n"),
      "app/views.py": ["def checkout(cart):", "    prune(cart.items)"].join("\n"),
    };
    const py: Spec[] = [
      { path: "app/cart.py", fn: "prune", line: 2 },
      { path: "app/views.py", fn: "checkout", line: 2 },
    ];
    expect(order(await rank("RuntimeError", "dictionary changed size during iteration", py, python))[0]).toBe(
      "prune",
    );
  });

  it("leads with the code the subject inherits when the test called only that", async () => {
    const files = {
      "src/test/java/o/RungeKuttaTest.java": [
        "class RungeKuttaTest {",
        "  void testEvents() {",
        "    integ.integrate(ode, 0.0, y0, 10.0, y);",
        "    assertTrue(handler.called);",
        "  }",
        "}",
      ].join("\n"),
      "src/main/java/o/RungeKutta.java":
        "class RungeKutta extends EmbeddedIntegrator {\n  RungeKutta() {}\n}",
      "src/main/java/o/EmbeddedIntegrator.java": [
        "abstract class EmbeddedIntegrator extends AbstractIntegrator {",
        "  double integrate(Ode ode, double t0, double[] y0, double t, double[] y) {",
        "    return acceptStep(ode);",
        "  }",
        "}",
      ].join("\n"),
      "src/main/java/o/AbstractIntegrator.java": [
        "abstract class AbstractIntegrator {",
        "  double acceptStep(Ode ode) {",
        "    return state.evaluateStep(ode);",
        "  }",
        "}",
      ].join("\n"),
      "src/main/java/o/EventState.java": plain,
    };
    const out = await rank(
      "AssertionFailedError",
      "",
      [
        { path: "src/test/java/o/RungeKuttaTest.java", fn: "handleStep", line: 4 },
        { path: "src/main/java/o/EventState.java", fn: "evaluateStep", line: 3 },
        { path: "src/main/java/o/AbstractIntegrator.java", fn: "acceptStep", line: 3 },
        { path: "src/main/java/o/EmbeddedIntegrator.java", fn: "integrate", line: 3 },
        { path: "src/test/java/o/RungeKuttaTest.java", fn: "testEvents", line: 3 },
      ],
      files,
    );
    expect(order(out).slice(0, 2)).toEqual(["acceptStep", null]);
    expect(out.find((c) => c.function === "acceptStep")!.reasons.join(" ")).toMatch(
      /tests RungeKutta, which runs this code it inherits from AbstractIntegrator/,
    );
    expect(out.find((c) => c.source === "test_subject")).toMatchObject({
      path: "src/main/java/o/RungeKutta.java",
    });
  });

  it("finds the subject's function through the value a helper's assertion checks", async () => {
    // The test method only calls a helper; the helper's assertion checks what the subject returned.
    const test = [
      "class InjectorTest {",
      "  void testIssue() {",
      "    helper(true);",
      "  }",
      "  void helper(boolean expected) {",
      "    boolean result = injector.canInline(node);",
      "    assertEquals(expected, result);",
      "  }",
      "}",
    ].join("\n");
    const injector = [
      "class Injector {",
      "  boolean canInline(Node n) {",
      "    return true;",
      "  }",
      "}",
    ].join("\n");
    const out = await rank(
      "AssertionFailedError",
      "expected:<false> but was:<true>",
      [
        { path: "src/test/java/a/InjectorTest.java", fn: "helper", line: 7 },
        { path: "src/test/java/a/InjectorTest.java", fn: "testIssue", line: 3 },
      ],
      { "src/test/java/a/InjectorTest.java": test, "src/main/java/a/Injector.java": injector },
    );
    expect(out[0]).toMatchObject({ path: "src/main/java/a/Injector.java", function: "canInline", line: 2 });
    expect(out[0]!.reasons.join(" ")).toMatch(
      /checks `result` on line 7 of helper, the value canInline returned \(line 6\)/,
    );
  });
});
