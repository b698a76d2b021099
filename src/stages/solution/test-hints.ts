import { languageOf } from "../../analysis/code-structure.ts";
import type { CodeHost } from "../../code/types.ts";
import type { TestHints } from "./plan.ts";

/**
 * Where a regression test for a file belongs and how to run it, read off the repository: an existing test
 * file for the same module when there is one, else the language's convention; the command from
 * package.json, pytest, Maven/Gradle or go.
 */
export async function testHints(host: CodeHost | null, signal?: AbortSignal): Promise<TestHints> {
  const files = host ? await host.listFiles(undefined, signal).catch(() => [] as string[]) : [];
  const has = (f: string) => files.includes(f);
  const pkg =
    has("package.json") && host
      ? await host.readFile("package.json", undefined, signal).catch(() => null)
      : null;
  const testScript = pkg
    ? (JSON.parse(pkg) as { scripts?: Record<string, string> }).scripts?.test
    : undefined;
  return {
    testFileFor(path) {
      const stem = path
        .split("/")
        .pop()!
        .replace(/\.[^.]+$/, "");
      const lang = languageOf(path);
      const existing = files.find((f) => {
        const base = f.split("/").pop()!;
        return (
          base === `test_${stem}.py` ||
          base === `${stem}_test.py` ||
          base === `${stem}_test.go` ||
          new RegExp(`^${stem}\\.(test|spec)\\.[jt]sx?$`).test(base) ||
          base === `${stem}Test.java` ||
          base === `${stem}Test.kt` ||
          base === `${stem}_spec.rb`
        );
      });
      if (existing) return existing;
      const dir = path.split("/").slice(0, -1).join("/");
      const ext = /\.[^.]+$/.exec(path)?.[0] ?? "";
      if (lang === "python") return `tests/test_${stem}.py`;
      if (lang === "js") return `${dir ? `${dir}/` : ""}${stem}.test${ext}`;
      if (lang === "java") return path.replace("/main/", "/test/").replace(/(\.\w+)$/, "Test$1");
      if (lang === "go") return `${dir ? `${dir}/` : ""}${stem}_test.go`;
      if (lang === "ruby") return `spec/${stem}_spec.rb`;
      return null;
    },
    command(testFile) {
      if (!testFile) return testScript ? "npm test" : null;
      if (/\.py$/.test(testFile)) return `pytest ${testFile}`;
      if (/\.[jt]sx?$/.test(testFile))
        return testScript ? `npm test -- ${testFile}` : `npx vitest run ${testFile}`;
      if (/\.(java|kt)$/.test(testFile)) {
        const cls = testFile
          .split("/")
          .pop()!
          .replace(/\.\w+$/, "");
        return has("pom.xml") ? `mvn -q test -Dtest=${cls}` : `./gradlew test --tests '*${cls}'`;
      }
      if (/\.go$/.test(testFile)) return `go test ./${testFile.split("/").slice(0, -1).join("/")}/...`;
      if (/\.rb$/.test(testFile)) return `bundle exec rspec ${testFile}`;
      return null;
    },
  };
}
