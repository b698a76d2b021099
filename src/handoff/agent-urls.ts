import type { DispatchState } from "./types.ts";

/**
 * Links an agent reports (its page, the pull request) come from callbacks and from agent APIs, and are shown
 * to people and models: only plain https URLs are kept. A pull request must be one of the dispatched
 * repository, on GitHub or on the configured GitHub Enterprise host; anything else is refused.
 */

const MAX_URL = 500;
const MAX_SUMMARY = 2000;

interface AgentUrlPolicy {
  /** owner/name the dispatch went to. */
  repository: string | null;
  /** The GitHub REST API base (GITHUB_API_URL): its web host is where pull requests live. */
  githubApiUrl: string;
}

/** Why `url` is not an acceptable agent link, or null when it is. */
function linkProblem(url: string): string | null {
  if (url.length > MAX_URL) return `longer than ${MAX_URL} characters`;
  if (/[\u0000-\u0020\u007f-\u009f\u2028\u2029]/.test(url)) return "contains spaces or control characters";
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "is not a URL";
  }
  if (parsed.protocol !== "https:") return "is not an https URL";
  if (parsed.username || parsed.password) return "carries credentials";
  return null;
}

/** Why `url` is not a pull request of the dispatched repository, or null when it is. */
export function pullRequestProblem(url: string, policy: AgentUrlPolicy): string | null {
  const link = linkProblem(url);
  if (link) return link;
  const host = githubWebHost(policy.githubApiUrl);
  const m = /^https:\/\/([^/]+)\/([\w.-]+)\/([\w.-]+)\/pull\/(\d{1,9})\/?$/i.exec(url);
  const repo = m ? `${m[2]}/${m[3]}`.toLowerCase() : null;
  if (!m || m[1]!.toLowerCase() !== host || !policy.repository || repo !== policy.repository.toLowerCase()) {
    return `is not https://${host}/${policy.repository ?? "<owner>/<name>"}/pull/<number>`;
  }
  return null;
}

/** The state with every link checked: refusals are listed, the links dropped. */
export function checkAgentState(
  state: DispatchState,
  policy: AgentUrlPolicy,
): { state: DispatchState; problems: string[] } {
  const problems: string[] = [];
  const url = state.url && linkProblem(state.url);
  const pr = state.prUrl && pullRequestProblem(state.prUrl, policy);
  if (url) problems.push(`url ${url}`);
  if (pr) problems.push(`pr_url ${pr}`);
  return {
    state: {
      status: state.status,
      url: url ? null : state.url,
      prUrl: pr ? null : state.prUrl,
      summary: state.summary ? state.summary.slice(0, MAX_SUMMARY) : state.summary,
    },
    problems,
  };
}

/** api.github.com → github.com; https://ghe.example.com/api/v3 → ghe.example.com. */
export function githubWebHost(apiUrl: string): string {
  try {
    const host = new URL(apiUrl).host.toLowerCase();
    return host === "api.github.com" ? "github.com" : host;
  } catch {
    return "github.com";
  }
}
