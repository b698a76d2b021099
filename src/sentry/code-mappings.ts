import type { SentryClient } from "./client.ts";
import { arr, obj, pick, text } from "./lenient.ts";
import type { Frame } from "./types.ts";

/**
 * Sentry's own knowledge of where code lives: an organisation's code mappings (project → repository,
 * stack root → source root, default branch) and the per-frame `stacktrace-link` answer.
 */

export interface CodeMapping {
  id: string;
  projectSlug: string | null;
  projectId: string | null;
  /** owner/name as the integration names it. */
  repoName: string;
  provider: string | null;
  stackRoot: string;
  sourceRoot: string;
  defaultBranch: string | null;
}

const MAX_PAGES = 5;

export async function fetchCodeMappings(
  sentry: SentryClient,
  org: string,
  signal?: AbortSignal,
): Promise<CodeMapping[]> {
  const rows: unknown[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await sentry.getJson(
      org,
      `/organizations/${encodeURIComponent(org)}/code-mappings/`,
      cursor ? { cursor } : {},
      signal,
    );
    rows.push(...arr(res.body));
    cursor = res.next;
    if (!cursor) break;
  }
  return rows.map(normalizeCodeMapping).filter((m): m is CodeMapping => m !== null);
}

function normalizeCodeMapping(value: unknown): CodeMapping | null {
  const o = obj(value);
  const repoName = text(pick(o, "repoName", "repo_name")) ?? text(obj(o.repo).name);
  if (!repoName) return null;
  return {
    id: text(o.id) ?? "",
    projectSlug: text(pick(o, "projectSlug", "project_slug")) ?? text(obj(o.project).slug),
    projectId: text(pick(o, "projectId", "project_id")) ?? text(obj(o.project).id),
    repoName,
    provider: text(obj(o.provider).key) ?? text(o.provider),
    stackRoot: text(pick(o, "stackRoot", "stack_root")) ?? "",
    sourceRoot: text(pick(o, "sourceRoot", "source_root")) ?? "",
    defaultBranch: text(pick(o, "defaultBranch", "default_branch")),
  };
}

interface StacktraceLink {
  repoName: string | null;
  sourcePath: string;
  sourceUrl: string | null;
}

/** Sentry's answer for one frame, or null when it has none (no mappings, no match, an old Sentry). */
export async function fetchStacktraceLink(
  sentry: SentryClient,
  org: string,
  project: string,
  frame: Frame,
  commitId: string | null,
  signal?: AbortSignal,
): Promise<StacktraceLink | null> {
  const file = frame.filename ?? frame.absPath;
  if (!file) return null;
  const res = await sentry.getJson(
    org,
    `/projects/${encodeURIComponent(org)}/${encodeURIComponent(project)}/stacktrace-link/`,
    {
      file,
      absPath: frame.absPath ?? undefined,
      module: frame.module ?? undefined,
      platform: frame.platform ?? undefined,
      commitId: commitId ?? undefined,
    },
    signal,
  );
  const body = obj(res.body);
  const config = body.config ? normalizeCodeMapping(body.config) : null;
  const sourcePath = text(body.sourcePath);
  if (!config || !sourcePath || text(body.error)) return null;
  return { repoName: config.repoName, sourcePath, sourceUrl: text(body.sourceUrl) };
}
