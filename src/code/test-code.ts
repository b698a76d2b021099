/**
 * Test code by the conventions of the ecosystems Sentry's SDKs serve: test directories (`src/test/`,
 * `test/`, `tests/`, `__tests__/`, `spec/`, and test-support packages named `testing`), and test file names
 * (`*Test.java`, `*Tests.kt`, `*TestCase.java`, `test_*.py`, `*_test.py`, `conftest.py`, `*_test.go`,
 * `*.test.ts`, `*.spec.js`, `*_spec.rb`). A frame in test code is context: it shows what was exercised,
 * never where production code is wrong.
 */

const TEST_DIR = /(^|\/)(src\/test|src\/androidTest|src\/integrationTest|tests?|__tests__|spec|testing)\//i;
const TEST_FILE =
  /(^|\/)(Test[A-Z_]\w*|\w+Tests?|\w+TestCase|\w+IT)\.(java|kt|kts|scala|groovy|cs)$|(^|\/)(test_\w+|\w+_test|conftest)\.py$|_test\.go$|\.(test|spec)\.[cm]?[jt]sx?$|_spec\.rb$|_test\.rb$/;

/** Maven and Gradle keep production code under `src/main/`: a class there named `ChiSquareTest` is not a test. */
const MAIN_ROOT = /(^|\/)src\/main\//;

export function isTestPath(path: string | null | undefined): boolean {
  if (!path) return false;
  const p = path.replace(/\\/g, "/");
  if (MAIN_ROOT.test(p)) return /(^|\/)testing\//.test(p.replace(MAIN_ROOT, "/"));
  return TEST_DIR.test(p) || TEST_FILE.test(p);
}

/** A JVM frame's class (`com.acme.OrderServiceTest$1`) names test code the same way its file does. */
export function isTestModule(module: string | null | undefined): boolean {
  if (!module) return false;
  const outer = module.split("$")[0]!;
  const parts = outer.split(".");
  return isTestPath(`${parts.at(-1)}.java`) || parts.slice(0, -1).some((p) => /^(tests?|testing)$/i.test(p));
}

/** `FooTest.java`, `TestFoo.java`, `FooTests.kt`, `FooTestCase.java` → `Foo`; `test_foo.py`, `foo_test.go`, `foo.spec.ts` → `foo`. */
function subjectStem(base: string): string | null {
  const m = /^(.+?)\.(\w+)$/.exec(base);
  if (!m) return null;
  const [, stem, ext] = m as unknown as [string, string, string];
  const inner = /^(.+)\.(test|spec)$/.exec(stem);
  if (inner) return inner[1]!;
  if (ext === "py") return /^test_(.+)$/.exec(stem)?.[1] ?? /^(.+)_test$/.exec(stem)?.[1] ?? null;
  if (ext === "go" || ext === "rb") return /^(.+)_(test|spec)$/.exec(stem)?.[1] ?? null;
  return /^(.+?)(Tests?|TestCase|IT)$/.exec(stem)?.[1] ?? /^Test([A-Z]\w*)$/.exec(stem)?.[1] ?? null;
}

/**
 * The production file a test file is named after (`src/test/java/a/FooTest.java` → `src/main/java/a/Foo.java`):
 * among non-test files with the stem and extension, the one whose folders share the longest tail with the
 * test's. Null when the name follows no convention or no such file exists.
 */
export function testSubject(testPath: string, files: readonly string[]): string | null {
  const parts = testPath.split("/");
  const base = parts.pop()!;
  const stem = subjectStem(base);
  if (!stem) return null;
  const ext = base.slice(base.lastIndexOf("."));
  const wanted = new Set([`${stem}${ext}`, `${stem}${ext.replace(/^\.([cm]?)tsx?$/, ".$1js")}`]);
  let best: { path: string; shared: number } | null = null;
  for (const f of files) {
    const slash = f.lastIndexOf("/");
    if (!wanted.has(f.slice(slash + 1)) || isTestPath(f)) continue;
    const dirs = f.slice(0, Math.max(0, slash)).split("/");
    let shared = 0;
    while (shared < dirs.length && shared < parts.length && dirs.at(-1 - shared) === parts.at(-1 - shared))
      shared++;
    if (!best || shared > best.shared) best = { path: f, shared };
  }
  return best?.path ?? null;
}
