import { describe, expect, it } from "vitest";
import { mapFrame, normalizeFramePath } from "../../src/code/mapping.ts";
import type { Frame } from "../../src/sentry/types.ts";
import { RULE_FILES, SOURCE_FILES } from "../fixtures/rules-repo/files.ts";
import { frame } from "../helpers/frames.ts";

const FILES = [...Object.keys(SOURCE_FILES), ...Object.keys(RULE_FILES)];

/** [label, frame, expected repo path or null]: Python, Node, browser (source-mapped) and JVM events. */
const FRAMES: Array<[string, Frame, string | null]> = [
  [
    "python filename + abs_path",
    frame({
      filename: "app/api.py",
      absPath: "/srv/payments/app/api.py",
      module: "app.api",
      platform: "python",
    }),
    "services/payments/app/api.py",
  ],
  [
    "python charges",
    frame({
      filename: "app/charges.py",
      absPath: "/srv/payments/app/charges.py",
      module: "app.charges",
      platform: "python",
    }),
    "services/payments/app/charges.py",
  ],
  [
    "python module only",
    frame({ module: "app.charges", platform: "python" }),
    "services/payments/app/charges.py",
  ],
  [
    "python package module",
    frame({ module: "app.utils", platform: "python" }),
    "services/payments/app/utils/__init__.py",
  ],
  [
    "python own package in site-packages",
    frame({
      filename: "acme_shared/money.py",
      absPath: "/home/deploy/.venv/lib/python3.12/site-packages/acme_shared/money.py",
      module: "acme_shared.money",
    }),
    "services/payments/acme_shared/money.py",
  ],
  [
    "python own package installed as an egg",
    frame({
      filename: "acme_shared/money.py",
      absPath:
        "/home/u/.pyenv/versions/2.7.18/lib/python2.7/site-packages/acme_shared-1.4.0-py2.7.egg/acme_shared/money.py",
      inApp: true,
    }),
    "services/payments/acme_shared/money.py",
  ],
  [
    "python windows path",
    frame({
      filename: "app\\charges.py",
      absPath: "C:\\deploy\\payments\\app\\charges.py",
      platform: "python",
    }),
    "services/payments/app/charges.py",
  ],
  [
    "python third-party (flask)",
    frame({
      filename: "flask/app.py",
      absPath: "/usr/local/lib/python3.12/site-packages/flask/app.py",
      module: "flask.app",
      inApp: false,
    }),
    null,
  ],
  [
    "python frozen importlib",
    frame({
      filename: "<frozen importlib._bootstrap>",
      absPath: "<frozen importlib._bootstrap>",
      module: "importlib._bootstrap",
      inApp: false,
    }),
    null,
  ],
  [
    "node /app deployment root",
    frame({
      filename: "src/routes/orders.ts",
      absPath: "/app/src/routes/orders.ts",
      module: "src.routes:orders",
    }),
    "services/orders/src/routes/orders.ts",
  ],
  [
    "node abs path only",
    frame({ absPath: "/app/src/services/order-service.ts" }),
    "services/orders/src/services/order-service.ts",
  ],
  [
    "node file:// URL with query string",
    frame({ absPath: "file:///home/ci/work/orders/src/pricing/discounts.ts?v=3" }),
    "services/orders/src/pricing/discounts.ts",
  ],
  [
    "node workspace package via node_modules",
    frame({ absPath: "/app/node_modules/@acme/shared/src/money.ts", inApp: false }),
    "packages/shared/src/money.ts",
  ],
  ["node compiled output, no source map", frame({ absPath: "/app/dist/pricing/discounts.js" }), null],
  [
    "node third-party (express)",
    frame({
      filename: "node_modules/express/lib/router/index.js",
      absPath: "/app/node_modules/express/lib/router/index.js",
      inApp: false,
    }),
    null,
  ],
  [
    "node internals",
    frame({
      filename: "node:internal/process/task_queues",
      absPath: "node:internal/process/task_queues",
      inApp: false,
    }),
    null,
  ],
  [
    "browser webpack:///./",
    frame({ filename: "./src/pages/Checkout.tsx", absPath: "webpack:///./src/pages/Checkout.tsx" }),
    "web/storefront/src/pages/Checkout.tsx",
  ],
  [
    "browser webpack://namespace/",
    frame({ absPath: "webpack://storefront/./src/components/Cart.tsx" }),
    "web/storefront/src/components/Cart.tsx",
  ],
  ["browser app:///", frame({ absPath: "app:///src/index.tsx" }), "web/storefront/src/index.tsx"],
  [
    "browser webpack-internal (Next.js layer)",
    frame({ absPath: "webpack-internal:///(app-pages-browser)/./src/components/Cart.tsx" }),
    "web/storefront/src/components/Cart.tsx",
  ],
  [
    "browser Sentry ~/ artifact path",
    frame({ absPath: "~/src/pages/Checkout.tsx" }),
    "web/storefront/src/pages/Checkout.tsx",
  ],
  [
    "browser same path in two apps",
    frame({ filename: "./src/api/client.ts", absPath: "webpack:///./src/api/client.ts" }),
    null,
  ],
  [
    "browser minified bundle",
    frame({ filename: "/assets/main.3f2a1b9c.js", absPath: "https://acme.shop/assets/main.3f2a1b9c.js" }),
    null,
  ],
  [
    "browser third-party (react-dom)",
    frame({ absPath: "webpack:///../node_modules/react-dom/cjs/react-dom.production.min.js", inApp: false }),
    null,
  ],
  [
    "java class",
    frame({
      filename: "StockService.java",
      absPath: "StockService.java",
      module: "com.acme.inventory.StockService",
      platform: "java",
    }),
    "services/inventory/src/main/java/com/acme/inventory/StockService.java",
  ],
  [
    "java lambda",
    frame({
      filename: "StockController.java",
      module: "com.acme.inventory.StockController$$Lambda$42/0x0000000800c4b440",
      platform: "java",
    }),
    "services/inventory/src/main/java/com/acme/inventory/StockController.java",
  ],
  [
    "kotlin file facade",
    frame({ filename: "Reservations.kt", module: "com.acme.inventory.ReservationsKt", platform: "java" }),
    "services/inventory/src/main/kotlin/com/acme/inventory/Reservations.kt",
  ],
  [
    "java framework (Spring)",
    frame({
      filename: "FrameworkServlet.java",
      module: "org.springframework.web.servlet.FrameworkServlet",
      platform: "java",
      inApp: false,
    }),
    null,
  ],
  [
    "java generated accessor",
    frame({
      filename: "Unknown Source",
      module: "jdk.internal.reflect.GeneratedMethodAccessor12",
      platform: "java",
      inApp: false,
    }),
    null,
  ],
];

describe("frame → file mapping", () => {
  it.each(FRAMES)("%s", (_label, f, expected) => {
    const result = mapFrame(f, FILES);
    expect(result.path, result.reason).toBe(expected);
    expect(result.reason.length).toBeGreaterThan(5);
  });

  it("resolves every in-app frame it should, and reports the rest instead of guessing", () => {
    const inApp = FRAMES.filter(([, f]) => f.inApp);
    const hits = inApp.filter(([, f, expected]) => expected !== null && mapFrame(f, FILES).path === expected);
    // Unmapped in-app frames on purpose: compiled dist/ without a source map, a path two apps share, a minified bundle.
    expect(`${hits.length}/${inApp.length}`).toBe("18/21");
  });

  it("explains why a frame stays unresolved", () => {
    const reason = (label: string) => mapFrame(FRAMES.find(([l]) => l === label)![1], FILES);
    expect(reason("python third-party (flask)").reason).toMatch(/third-party package flask/);
    expect(reason("browser minified bundle").reason).toMatch(/built bundle; upload source maps/);
    const ambiguous = reason("browser same path in two apps");
    expect(ambiguous.reason).toMatch(/ambiguous: 2 files/);
    expect(ambiguous.candidates.sort()).toEqual([
      "web/admin/src/api/client.ts",
      "web/storefront/src/api/client.ts",
    ]);
    expect(reason("node compiled output, no source map").reason).toMatch(
      /no file in the repository matches app\/dist\/pricing\/discounts.js/,
    );
    expect(reason("python frozen importlib").reason).toMatch(/no file name/);
  });

  it("breaks a tie with the repository's path prefix", () => {
    const f = FRAMES.find(([l]) => l === "browser same path in two apps")![1];
    expect(mapFrame(f, FILES, { pathPrefix: "web/storefront" }).path).toBe(
      "web/storefront/src/api/client.ts",
    );
    expect(mapFrame(f, FILES, { pathPrefix: "web/admin/" }).path).toBe("web/admin/src/api/client.ts");
  });

  it("applies a Sentry code mapping (stack root → source root) first", () => {
    const f = frame({ filename: "./src/api/client.ts", absPath: "webpack:///./src/api/client.ts" });
    const mapped = mapFrame(f, FILES, { stackRoot: "webpack:///./", sourceRoot: "web/admin/" });
    expect(mapped).toMatchObject({
      path: "web/admin/src/api/client.ts",
      reason: expect.stringMatching(/code mapping/),
    });
    const py = frame({ filename: "app/api.py", absPath: "/srv/payments/app/api.py" });
    expect(
      mapFrame(py, FILES, { stackRoot: "/srv/payments/", sourceRoot: "services/payments/" }).reason,
    ).toMatch(/code mapping/);
    // A mapping that points at a missing file falls back to suffix matching.
    expect(mapFrame(py, FILES, { stackRoot: "/srv/", sourceRoot: "nowhere/" }).path).toBe(
      "services/payments/app/api.py",
    );
  });

  it("accepts a unique file name only for in-app frames, and says it is weak", () => {
    const f = frame({ absPath: "/opt/build/checkout/Checkout.tsx" });
    const hit = mapFrame(f, FILES);
    expect(hit.path).toBe("web/storefront/src/pages/Checkout.tsx");
    expect(hit.reason).toMatch(/weak/);
    expect(mapFrame({ ...f, inApp: false }, FILES).path).toBeNull();
  });
});

describe("normalizeFramePath", () => {
  it.each([
    ["webpack:///./src/a.ts", "src/a.ts"],
    ["webpack://app/../src/a.ts", "src/a.ts"],
    ["app:///src/a.ts?x=1#y", "src/a.ts"],
    ["https://cdn.example.com/static/js/main.min.js", "static/js/main.min.js"],
    ["C:\\Users\\dev\\proj\\src\\a.py", "Users/dev/proj/src/a.py"],
    ["\\\\server\\share\\proj\\a.py", "proj/a.py"],
    ["file:///C:/proj/a.py", "proj/a.py"],
    [
      "/home/u/.venv/lib/python3.12/site-packages/pkg/mod.py",
      "home/u/.venv/lib/python3.12/site-packages/pkg/mod.py",
    ],
    ["src/a%20b.ts", "src/a b.ts"],
    ["<anonymous>", null],
    ["[native code]", null],
  ])("%s → %s", (absPath, expected) => {
    expect(normalizeFramePath(frame({ absPath }))).toBe(expected);
  });

  it("falls back to filename when absPath yields nothing", () => {
    expect(normalizeFramePath(frame({ absPath: "<anonymous>", filename: "./lib/x.js" }))).toBe("lib/x.js");
  });
});
