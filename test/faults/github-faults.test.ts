import { describe, expect, it } from "vitest";
import type { GitHubFault } from "../fakes/github.ts";
import { analyze, env, scenario, useFaultScenario } from "./fault-scenario.ts";

/** analyze_root_cause with GitHub failing at each step it takes, every way it can fail (see fault-scenario.ts). */

useFaultScenario();

const GITHUB_STEPS: Array<{ step: string; match: RegExp }> = [
  { step: "resolving the ref", match: /\/commits\/([0-9a-f]{40}|main)$/ },
  { step: "the tree", match: /\/git\/trees\// },
  { step: "the repository", match: /^\/repos\/[^/]+\/[^/]+$/ },
  { step: "history", match: /\/commits$/ },
  { step: "file contents", match: /\/contents\// },
];
const GITHUB_FAULTS: Record<string, Omit<GitHubFault, "match">> = {
  "401": { status: 401 },
  "404": { status: 404 },
  "502": { status: 502 },
  "no answer": { kind: "hang" },
  "an HTML error page": { kind: "html" },
  "cut-off JSON": { kind: "truncated" },
  "a reset connection": { kind: "reset" },
};

describe("with the code on GitHub", () => {
  it("finds the culprit when GitHub answers", async () => {
    env.github.restore();
    const { out, result } = await analyze({ viaGitHub: true });
    expect(result.isError).toBeFalsy();
    expect(out?.candidates[0]).toMatchObject({ repo: scenario.expected.repo, path: scenario.expected.file });
  });

  describe.each(GITHUB_STEPS)("GitHub failing at $step", ({ match }) => {
    it.each(Object.entries(GITHUB_FAULTS))("with %s", async (_name, fault) => {
      env.github.restore();
      env.github.requests.length = 0;
      env.github.fail({ match, ...fault });
      const { result, text, out, runs, problems } = await analyze({ viaGitHub: true });
      env.github.restore();

      // Code is evidence, not a precondition: the analysis completes from Sentry's data.
      expect(result.isError, text).toBeFalsy();
      expect(out?.candidates.length).toBeGreaterThan(0);
      expect(problems).toEqual([]);
      expect(runs.map((r) => r.status)).toEqual(["completed"]);
      expect(text).not.toMatch(/<html|<body/i);
      const tries = env.github.requests.filter((r) => match.test(r.path)).length;
      expect(tries).toBeGreaterThan(0);
      // Bounded: no request loops. (Each file, ref and commit is its own request; none is retried more than once.)
      const perPath = new Map<string, number>();
      for (const r of env.github.requests.filter((q) => match.test(q.path)))
        perPath.set(r.path, (perPath.get(r.path) ?? 0) + 1);
      expect(Math.max(...perPath.values())).toBeLessThanOrEqual(4);
    });
  });
});
