import { AppError, configError } from "../errors.ts";

/**
 * GitHub failures in our error vocabulary. Octokit throws `RequestError` with `status` and the response
 * headers; a used-up rate limit is a 403 (or 429) with `x-ratelimit-remaining: 0` and the reset time.
 */
export function githubError(error: unknown, repo: string, hasToken: boolean, now: number): unknown {
  const e = error as {
    status?: unknown;
    name?: string;
    message?: string;
    response?: { headers?: Record<string, unknown> };
  };
  if (e?.name === "AbortError" || error instanceof AppError) return error;
  // Octokit reports a failed fetch (refused, reset, timed out) as a 500 without a response.
  if (typeof e?.status !== "number" || !e.response) {
    const timedOut = /timeout|timed out|aborted/i.test(e?.message ?? "");
    return new AppError(
      "upstream",
      timedOut ? `GitHub did not answer in time for ${repo}.` : `GitHub could not be reached for ${repo}.`,
      {
        service: "GitHub",
        hint: "Check GITHUB_API_URL and the network; retrying may help.",
        detail: e?.message,
        cause: error,
      },
    );
  }
  const status = e.status;
  const headers = e.response?.headers ?? {};
  const remaining = String(headers["x-ratelimit-remaining"] ?? "");
  const retryAfter = Number(headers["retry-after"]);
  if ((status === 403 || status === 429) && (remaining === "0" || Number.isFinite(retryAfter))) {
    const reset = Number(headers["x-ratelimit-reset"]);
    const seconds = Number.isFinite(retryAfter)
      ? retryAfter
      : Number.isFinite(reset)
        ? Math.max(1, Math.ceil(reset - now / 1000))
        : 60;
    return new AppError("upstream", `GitHub's API rate limit is used up; it resets in about ${seconds}s.`, {
      service: "GitHub",
      status,
      retryAfterSeconds: seconds,
      hint: hasToken
        ? `Retry after ${seconds}s.`
        : `Retry after ${seconds}s, or set GITHUB_TOKEN: anonymous calls get 60 requests an hour.`,
    });
  }
  if (status === 401) {
    return configError(
      "GitHub rejected GITHUB_TOKEN (401).",
      "Set GITHUB_TOKEN to a valid token with read access to contents.",
    );
  }
  if (status === 403) {
    return configError(
      `GitHub refused access to ${repo} (403).`,
      "Give GITHUB_TOKEN read access to this repository's contents and metadata.",
    );
  }
  if (status === 404) {
    return configError(
      `GitHub has no repository ${repo}, or GITHUB_TOKEN cannot see it.`,
      hasToken
        ? "Check the repository's `github` name in the config file and the token's repository access."
        : "Set GITHUB_TOKEN if the repository is private, and check its `github` name in the config file.",
    );
  }
  return new AppError("upstream", `GitHub answered ${status} for ${repo}.`, {
    service: "GitHub",
    status,
    hint: status >= 500 ? "GitHub had a problem; retrying later may help." : undefined,
    detail: e.message,
  });
}

export const isStatus = (error: unknown, ...statuses: number[]): boolean =>
  typeof (error as { status?: unknown })?.status === "number" &&
  statuses.includes((error as { status: number }).status);
