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
