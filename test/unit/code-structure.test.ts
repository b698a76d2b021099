import { describe, expect, it } from "vitest";
import {
  callsIn,
  declaredType,
  enclosingFunction,
  messageTokens,
  producerOf,
  readVariable,
} from "../../src/analysis/code-structure.ts";
import { changesCode, mentionsToken, parsePatch, touchesFunction } from "../../src/analysis/patch.ts";

const py = `from app.tax.rates import load_tax_rates


def build_invoice(order):
    rates = load_tax_rates(order.country)
    lines = []
    for line in order.lines:
        rate = rates[line.tax_class]
        lines.append(line.net * rate)
    return lines


def other():
    return 1
`;

const ts = `export class Pricing {
  applyCoupon(total: number, coupon: Coupon): number {
    const rule = findRule(coupon.code);
    return total * (1 - rule.percent / 100);
  }
}

export const priceOrder = async (draft: Draft) => {
  return helper(draft);
};
`;

describe("code structure", () => {
  it("finds the enclosing function and its extent in Python and TypeScript", () => {
    expect(enclosingFunction(py, 8, "python")).toEqual({ name: "build_invoice", start: 4, end: 10 });
    expect(enclosingFunction(ts, 4, "js")).toMatchObject({ name: "applyCoupon", start: 2, end: 5 });
    expect(enclosingFunction(ts, 9, "js")?.name).toBe("priceOrder");
  });

  it("does not take a Java statement that wraps a call for a method header", () => {
    const java = [
      "class Entry {",
      "  public void setMode(final long mode) {",
      "    if (mode < 0) {",
      "      throw new IllegalArgumentException(",
      '          "Unknown mode " + mode);',
      "    }",
      "    return describe(",
      "        mode);",
      "  }",
      "}",
    ].join("\n");
    for (const line of [4, 5, 8])
      expect(enclosingFunction(java, line, "java")).toMatchObject({ name: "setMode", start: 2, end: 9 });
  });

  it("finds the variable a failing line reads and the call that produced it", () => {
    expect(readVariable("        rate = rates[line.tax_class]")).toBe("rates");
    expect(readVariable("    return total * (1 - rule.percent / 100);")).toBe("rule");
    const span = enclosingFunction(py, 8, "python")!;
    expect(producerOf(py, span, 8, "rates")).toEqual({ fn: "load_tax_rates", line: 5 });
    expect(producerOf(ts, enclosingFunction(ts, 4, "js")!, 4, "rule")).toEqual({ fn: "findRule", line: 3 });
    const java = [
      "void check(ObjectType interfaceType) {",
      "  ObjectType implicitProto = interfaceType.getImplicitPrototype();",
      "  return implicitProto.getPropertyNames();",
      "}",
    ].join("\n");
    const checkSpan = { name: "check", start: 1, end: 4 };
    // A method call on another object: who runs it depends on that object's class, named by its declaration.
    expect(producerOf(java, checkSpan, 3, "implicitProto")).toEqual({
      fn: "getImplicitPrototype",
      line: 2,
      receiver: "interfaceType",
    });
    expect(declaredType(java, "interfaceType")).toBe("ObjectType");
    expect(declaredType("List<Option> opts = new ArrayList<>();", "opts")).toBe("List");
    expect(declaredType("const parser: Parser = make();", "parser")).toBe("Parser");
    expect(declaredType("parser = make()", "parser")).toBeNull();
  });

  it("lists calls and the tokens an error message names", () => {
    expect(callsIn("rates = load_tax_rates(order.country)\nself.save(x)")).toEqual([
      "load_tax_rates",
      "save",
    ]);
    expect(messageTokens("Cannot read properties of undefined (reading 'percent')")).toEqual(["percent"]);
    expect(messageTokens("'NoneType' object has no attribute 'street'")).toEqual(["street"]);
    expect(messageTokens(null)).toEqual([]);
  });
});

describe("patches", () => {
  const patch = `@@ -8,9 +8,11 @@ def load_tax_rates(country: str) -> dict[str, Decimal]:
     table = VAT_TABLES[country]
-    return {
-        "standard": table.standard,
-        "reduced": table.reduced,
-    }
+    rates = {"standard": table.standard, "zero": ZERO}
+    if table.super_reduced is not None:
+        rates["super_reduced"] = table.super_reduced`;
  it("knows which function a hunk changed and which tokens it mentions", () => {
    const hunks = parsePatch(patch);
    expect(hunks).toHaveLength(1);
    expect(touchesFunction(hunks, "load_tax_rates", [])).toBe(true);
    expect(touchesFunction(hunks, "other", ["    return 1"])).toBe(false);
    expect(touchesFunction(hunks, "x", ['    rates = {"standard": table.standard, "zero": ZERO}'])).toBe(
      true,
    );
    expect(mentionsToken(hunks, "reduced")).toBe(true);
    expect(mentionsToken(hunks, "reduc")).toBe(false);
  });

  it("does not count a hunk that only reformats or edits comments", () => {
    const reformat = parsePatch(`@@ -40,6 +40,7 @@ public String translate(CharSequence input) {
-        if (input == null) return null;
-        int pos = 0;   // where we are
+        if (input == null)
+            return null;
+        int pos = 0; // the position in input
     /**
-     * Translates a value.
+     * Translates a value, or returns null.
      */`);
    expect(changesCode(reformat[0]!)).toBe(false);
    expect(touchesFunction(reformat, "translate", [])).toBe(false);
    expect(mentionsToken(reformat, "position")).toBe(false);
    const reordered = parsePatch(`@@ -1,2 +1,2 @@ void run() {
-    a();
-    b();
+    b();
+    a();`);
    expect(changesCode(reordered[0]!)).toBe(true);
    expect(touchesFunction(reordered, "run", [])).toBe(true);
  });
});
