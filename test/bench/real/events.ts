import type { Json, Scenario } from "../../../src/sandbox/scenario.ts";
import {
  errorEvent,
  exceptionEntry,
  exceptionValue,
  frame,
  hexId,
  issueDetails,
  organization,
  type ProjectDef,
  projectJson,
} from "../../scenarios/builders.ts";
import type { RealCase } from "./defects4j.ts";

/**
 * A Defects4J crash as the Sentry Java SDK would have sent it: one exception value per throwable, the root
 * cause first and the thrown one last, frames caller → callee with `module` (the class), `function` (the
 * method), `filename` and `lineNo`, in-app by the project's package prefix as `in-app-includes` would set it.
 */

export function projectOf(name: string, index: number): ProjectDef {
  return { id: 7000 + index, slug: name.toLowerCase(), platform: "java" };
}

export const shortIdOf = (c: RealCase) => `${c.project.toUpperCase()}-${c.bug}`;

export function caseScenario(cases: RealCase[], projects: ProjectDef[]): Scenario {
  return {
    organization: organization(),
    projects: projects.map((p) => projectJson(p)),
    issues: cases.map((c) => {
      const project = projects.find((p) => p.slug === c.project.toLowerCase())!;
      const issueId = String(900_000 + project.id * 1000 + c.bug);
      const thrown = c.exceptions[0]!;
      const title = `${thrown.type.split(".").pop()}: ${thrown.message.split("\n")[0]!.slice(0, 200)}`;
      // Seen the day after the buggy revision was committed: the release that shipped it.
      const seen = Date.parse(c.commitDate) + 24 * 3_600_000;
      const values = [...c.exceptions].reverse().map((e, i, all) =>
        exceptionValue({
          type: e.type.split(".").pop()!,
          module: e.type.split(".").slice(0, -1).join(".") || null,
          value: e.message,
          mechanism:
            all.length > 1
              ? {
                  type: i === all.length - 1 ? "UncaughtExceptionHandler" : "chained",
                  handled: false,
                  exception_id: all.length - 1 - i,
                  parent_id: i === all.length - 1 ? null : all.length - 2 - i,
                }
              : { type: "UncaughtExceptionHandler", handled: false },
          frames: e.frames.map((f) =>
            frame({
              filename: f.file,
              module: f.className,
              function: f.method,
              lineNo: f.line,
              platform: "java",
              inApp: c.inApp.some((p) => f.className.startsWith(p)),
            }),
          ),
        }),
      );
      const version = `${project.slug}@${c.buggySha}`;
      const release: Json = {
        version,
        shortVersion: c.buggySha.slice(0, 12),
        ref: c.buggySha,
        dateCreated: c.commitDate,
        dateReleased: c.commitDate,
        lastCommit: { id: c.buggySha, message: null, dateCreated: c.commitDate },
      };
      const eventId = hexId(`${c.project}-${c.bug}`);
      return {
        issue: issueDetails({
          id: issueId,
          shortId: shortIdOf(c),
          project,
          title,
          culprit: thrown.frames.at(-1)
            ? `${thrown.frames.at(-1)!.className} in ${thrown.frames.at(-1)!.method}`
            : null,
          platform: "java",
          metadata: { type: thrown.type.split(".").pop(), value: thrown.message.slice(0, 200) },
          count: 25,
          userCount: 3,
          firstSeenMs: seen,
          lastSeenMs: seen + 3_600_000,
          tagDistributions: [],
        }),
        events: [
          errorEvent({
            id: eventId,
            issueId,
            project,
            platform: "java",
            title,
            culprit: null,
            location: null,
            dateMs: seen,
            entries: [exceptionEntry(values)],
            tags: { release: version, environment: "production" },
            contexts: {},
            sdk: { name: "sentry.java", version: "7.18.1" },
            release,
            metadata: {},
          }),
        ],
      };
    }),
  };
}
