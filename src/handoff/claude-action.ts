import { configError } from "../errors.ts";
import { arr, isObj, str, text } from "../sentry/lenient.ts";
import { apiError, jsonRequest, ok } from "./http.ts";
import type { Dispatcher, DispatcherDeps, DispatchRequest, DispatchState, TargetConfig } from "./types.ts";

/**
 * The Claude Code GitHub Action: a GitHub issue whose body is the brief, then an `@claude` comment that
 * starts the action (posted with a user or app token: comments by the workflow's own GITHUB_TOKEN do not
 * trigger workflows). Claude's tracking comment reports progress: "Claude finished" or "Claude encountered
 * an error", with the PR (or a "Create PR" compare link). A hidden marker in the issue body finds an issue
 * created before a crash.
 */
export function claudeActionDispatcher(target: TargetConfig, _deps: DispatcherDeps): Dispatcher {
  if (!target.token)
    throw configError(
      `handoff target "${target.name}" (claude_action) has no GitHub token.`,
      "Set the variable its tokenEnv names (default GITHUB_TOKEN) to a token that can create issues and comments.",
    );
  const headers = {
    authorization: `Bearer ${target.token}`,
    accept: "application/vnd.github+json",
    "x-github-api-version": "2022-11-28",
  };
  const repoUrl = (repo: string) =>
    `${target.apiUrl}/repos/${repo.split("/").map(encodeURIComponent).join("/")}`;
  return {
    type: "claude_action",
    target: target.name,
    async dispatch(req: DispatchRequest, signal?: AbortSignal) {
      const marker = `<!-- autofix-dispatch: ${req.dispatchId} -->`;
      const list = await jsonRequest(
        "GitHub",
        "GET",
        `${repoUrl(req.repository)}/issues?labels=autofix&state=all&per_page=100`,
        { headers, signal },
      );
      if (!ok(list)) throw apiError("GitHub", list, "list issues");
      let issue =
        arr(list.body)
          .filter(isObj)
          .find((i) => (text(i.body) ?? "").includes(marker)) ?? null;
      const adopted = issue !== null;
      if (!issue) {
        const res = await jsonRequest("GitHub", "POST", `${repoUrl(req.repository)}/issues`, {
          headers,
          signal,
          body: { title: req.prTitle, body: `${req.brief}\n\n${marker}`, labels: ["autofix"] },
        });
        if (!ok(res) || !isObj(res.body))
          throw apiError("GitHub", res, "create the issue for Claude", [
            [410, "issues are disabled on the repository", "config"],
          ]);
        issue = res.body;
      }
      const number = String(issue.number);
      const comments = await jsonRequest(
        "GitHub",
        "GET",
        `${repoUrl(req.repository)}/issues/${number}/comments?per_page=100`,
        { headers, signal },
      );
      const asked =
        ok(comments) &&
        arr(comments.body)
          .filter(isObj)
          .some((c) => (text(c.body) ?? "").startsWith("@claude"));
      if (!asked) {
        const body = `@claude Implement the plan in this issue's description in this repository. Open a draft pull request whose description contains \`Fixes ${req.shortId}\`${req.baseBranch ? `, based on \`${req.baseBranch}\`` : ""}.`;
        const res = await jsonRequest(
          "GitHub",
          "POST",
          `${repoUrl(req.repository)}/issues/${number}/comments`,
          { headers, signal, body: { body } },
        );
        if (!ok(res)) throw apiError("GitHub", res, "ask @claude to start");
      }
      return {
        externalId: number,
        status: "queued" as const,
        url: text(issue.html_url),
        prUrl: null,
        adopted,
      };
    },
    async status(externalId: string, req: DispatchRequest, signal?: AbortSignal): Promise<DispatchState> {
      const res = await jsonRequest(
        "GitHub",
        "GET",
        `${repoUrl(req.repository)}/issues/${encodeURIComponent(externalId)}/comments?per_page=100`,
        { headers, signal },
      );
      if (!ok(res)) throw apiError("GitHub", res, "read Claude's progress");
      const comments = arr(res.body).filter(isObj);
      const tracking = [...comments]
        .reverse()
        .find((c) =>
          /Claude (finished|encountered an error|Code is working|is working)/i.test(text(c.body) ?? ""),
        );
      const body = text(tracking?.body) ?? "";
      const pr =
        new RegExp(
          `https://github\\.com/${req.repository.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/pull/\\d+`,
        ).exec(body)?.[0] ?? null;
      const compare =
        /https:\/\/github\.com\/[^\s)]+\/compare\/[^\s)]+quick_pull=1[^\s)]*/.exec(body)?.[0] ?? null;
      const status = /Claude finished/i.test(body)
        ? "completed"
        : /encountered an error/i.test(body)
          ? "failed"
          : tracking
            ? "running"
            : "queued";
      return {
        status,
        url: str(tracking?.html_url) ?? null,
        prUrl: pr,
        summary: compare ? `Create the PR: ${compare}` : null,
      };
    },
  };
}
