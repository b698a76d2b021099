import type { Frame } from "../../src/sentry/types.ts";

/** A normalized in-app frame at line 1 with nothing else known, overridden by `f`. */
export function frame(f: Partial<Frame>): Frame {
  return {
    filename: null,
    absPath: null,
    module: null,
    package: null,
    platform: null,
    function: null,
    rawFunction: null,
    symbol: null,
    lineNo: 1,
    colNo: null,
    inApp: true,
    context: [],
    vars: null,
    instructionAddr: null,
    ...f,
  };
}
