import { describe, expect, it } from "vitest";
import { splitPlan } from "../../src/handoff/parts.ts";

const step = (id: string, repo: string | null, files: string[] = repo ? [`${id}.ts`] : []) => ({
  id,
  repo,
  title: id,
  description: "",
  files,
  evidence: [],
});
const test = (repo: string | null | undefined, file: string | null) => ({
  ...(repo === undefined ? {} : { repo }),
  title: file ?? "t",
  description: "",
  file,
  command: null,
});

describe("splitPlan: one part per repository the steps name", () => {
  it("puts the top candidate's repository first, then the others in plan order", () => {
    const parts = splitPlan(
      { steps: [step("s1", "acme/web"), step("s2", "acme/api"), step("s3", "acme/web")], tests: [] },
      "acme/api",
    );
    expect(parts.map((p) => [p.index, p.repo, p.steps.map((s) => s.id)])).toEqual([
      [1, "acme/api", ["s2"]],
      [2, "acme/web", ["s1", "s3"]],
    ]);
  });

  it("keeps plan order when the top candidate's repository has no step", () => {
    const parts = splitPlan({ steps: [step("s1", "acme/web"), step("s2", "acme/api")], tests: [] }, "acme/x");
    expect(parts.map((p) => p.repo)).toEqual(["acme/web", "acme/api"]);
  });

  it("gives steps and tests without a repository to the first part, and each test to its repository", () => {
    const parts = splitPlan(
      {
        steps: [step("s1", "acme/api"), step("s2", "acme/web"), step("s3", null)],
        tests: [test("acme/web", "web.test.ts"), test(null, null), test("acme/gone", "x.test.ts")],
      },
      "acme/api",
    );
    expect(parts[0]!.steps.map((s) => s.id)).toEqual(["s1", "s3"]);
    expect(parts[0]!.tests.map((t) => t.title)).toEqual(["t", "x.test.ts"]);
    expect(parts[1]!.tests.map((t) => t.title)).toEqual(["web.test.ts"]);
  });

  it("reads a test stored before tests carried a repository as the first step's", () => {
    const parts = splitPlan(
      { steps: [step("s1", "acme/web"), step("s2", "acme/api")], tests: [test(undefined, "old.test.ts")] },
      "acme/api",
    );
    expect(parts.find((p) => p.repo === "acme/web")!.tests.map((t) => t.file)).toEqual(["old.test.ts"]);
  });

  it("is one part holding the whole plan when the steps name one repository or none", () => {
    const plan = {
      steps: [step("s1", "acme/api"), step("s2", null)],
      tests: [test("acme/api", "a.test.ts")],
    };
    expect(splitPlan(plan, "acme/api")).toEqual([{ index: 1, repo: "acme/api", ...plan }]);
    const bare = { steps: [step("s1", null)], tests: [] };
    expect(splitPlan(bare, "acme/api")).toEqual([{ index: 1, repo: "acme/api", ...bare }]);
    expect(splitPlan(bare, null)).toEqual([{ index: 1, repo: null, ...bare }]);
  });
});
