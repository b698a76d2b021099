import { EvidenceSet } from "../../src/analysis/evidence.ts";
import { exceptionChain, primaryStack } from "../../src/analysis/exception-chain.ts";
import type { FrameLocation } from "../../src/code/frame-files.ts";
import type { CodeHost } from "../../src/code/types.ts";
import { createLogger } from "../../src/log.ts";
import { normalizeEvent } from "../../src/sentry/normalize-event.ts";
import type { Frame } from "../../src/sentry/types.ts";
import { CodeReader, type RepoState, type StackView } from "../../src/stages/gather.ts";
import type { RankingSignal } from "../../src/stages/root-cause/rank.ts";
import { stackCandidates } from "../../src/stages/root-cause/stack.ts";

/**
 * The stack ranking over a small real-shaped event and source files: frames listed from the throw outward,
 * each with its repo-relative path (null for a frame no file matches) and line.
 */
export interface Spec {
  path: string | null;
  fn: string;
  line: number;
  /** A library frame (not in-app). */
  library?: boolean;
}

const REPO = "acme/engine";

export function rank(
  type: string,
  value: string,
  frames: Spec[],
  files: Record<string, string>,
  disable: RankingSignal[] = [],
) {
  // Sentry order: caller first, the frame that threw last.
  const raw = [...frames].reverse().map((f) => ({
    filename: f.path?.split("/").pop() ?? "Generated.java",
    function: f.fn,
    lineNo: f.line,
    inApp: !f.library,
  }));
  const event = normalizeEvent({
    entries: [{ type: "exception", data: { values: [{ type, value, stacktrace: { frames: raw } }] } }],
  });
  const chain = exceptionChain(event);
  const stack = primaryStack(event, chain);
  const byFrame = new Map<Frame, FrameLocation>();
  stack!.frames.forEach((frame, i) => {
    const path = [...frames].reverse()[i]!.path;
    byFrame.set(frame, {
      frame: i,
      repo: path ? REPO : null,
      path,
      candidates: path ? [path] : [],
      reason: path ? "test" : "no file in the repository matches Generated.java",
    });
  });
  const view: StackView = {
    id: "main",
    project: "engine",
    event,
    chain,
    stack,
    locations: [...byFrame.values()],
    byFrame,
  };
  const host = { readFile: async (path: string) => files[path] ?? null } as unknown as CodeHost;
  const state = {
    name: REPO,
    host,
    ref: { repo: REPO, ref: "main", sha: null, fromRelease: false },
    files: Object.keys(files),
  };
  const code = new CodeReader(new Map([[REPO, state as unknown as RepoState]]), createLogger("error"));
  return stackCandidates(view, new EvidenceSet(), 0.55, "stack", code, { disable });
}

export const order = (cs: Array<{ score: number; function: string | null }>) =>
  [...cs].sort((a, b) => b.score - a.score).map((c) => c.function);

/** A source file whose content does not matter to the ranking, only its path. */
export const plain = ["class A {", "  void a() {", "    b();", "  }", "}"].join("\n");
