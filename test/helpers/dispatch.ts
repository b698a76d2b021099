import { afterEach, expect } from "vitest";
import { AppError } from "../../src/errors.ts";
import type { DispatchRequest, TargetConfig, TargetType } from "../../src/handoff/types.ts";
import { createLogger } from "../../src/log.ts";

/** What the dispatcher tests share: deps at a fixed time, a request, a target, and fakes closed after each test. */

export const deps = { logger: createLogger("silent"), now: () => 1_767_000_000_000 };
export const SECRET = "s3cret-s3cret-s3cret-s3cret-s3cret-42";
const closers: Array<() => Promise<void>> = [];

/** Closes the fakes a file's tests start, after each test: call once at the top of the file. */
export function closeFakesAfterEach(): void {
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });
}

export async function track<T extends { close(): Promise<void> }>(server: Promise<T>): Promise<T> {
  const s = await server;
  closers.push(() => s.close());
  return s;
}

export const req = (over: Partial<DispatchRequest> = {}): DispatchRequest => ({
  dispatchId: "run_abc123:agent:acme/api",
  runId: "run_abc123",
  shortId: "API-42",
  brief: "# Fix KeyError in checkout\n\nRead `user.plan` with a default in `billing/plan.py`.",
  prTitle: "fix(billing): default the missing plan",
  prBody: "Fixes API-42",
  branch: "autofix/api-42-keyerror-abc123",
  baseBranch: "main",
  repository: "acme/api",
  autoCreatePr: true,
  callbackUrl: null,
  ...over,
});

export const target = (type: TargetType, over: Partial<TargetConfig> = {}): TargetConfig => ({
  name: type.replace("_", "-"),
  type,
  apiUrl: "http://127.0.0.1:9",
  token: null,
  secret: null,
  url: null,
  model: null,
  ...over,
});

export async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error("expected a rejection");
}
