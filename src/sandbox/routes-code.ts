import type { Json } from "./scenario.ts";
import type { Route, RouteRequest, RouteResult } from "./server.ts";
import { paginate } from "./store.ts";

/** Code mappings and stacktrace links, in Sentry's shapes, from `scenario.codeMappings`. */

const NOT_FOUND: RouteResult = { status: 404, body: { detail: "The requested resource does not exist" } };

function mappings(req: RouteRequest): Json[] {
  return req.store.scenario.codeMappings ?? [];
}

function listMappings(req: RouteRequest): RouteResult {
  if (!req.store.isOrg(req.params[0]!)) return NOT_FOUND;
  // Sentry filters by project ID; accept a slug too, as tests find that easier to write.
  const project = req.query.get("project");
  const rows = mappings(req).filter(
    (m) => !project || project === "-1" || String(m.projectId) === project || m.projectSlug === project,
  );
  const page = paginate(rows, req.query, `${req.base}/api/0/organizations/${req.params[0]}/code-mappings/`);
  return { status: 200, body: page.body, headers: page.headers };
}

/** Sentry's answer for one frame: the first mapping whose stack root prefixes the file, else an error code. */
function stacktraceLink(req: RouteRequest): RouteResult {
  const [org, slug] = req.params as [string, string];
  if (!req.store.isOrg(org) || !req.store.project(slug)) return NOT_FOUND;
  const file = req.query.get("file");
  if (!file) return { status: 400, body: { detail: "Filename is required" } };
  const own = mappings(req).filter((m) => m.projectSlug === slug);
  if (own.length === 0) {
    return {
      status: 200,
      body: { config: null, sourceUrl: null, integrations: [], error: "no_code_mappings_for_project" },
    };
  }
  const candidates = [file, req.query.get("absPath") ?? ""].filter(Boolean);
  for (const m of own) {
    const stackRoot = String(m.stackRoot ?? "");
    const hit = candidates.find((c) => c.startsWith(stackRoot));
    if (hit === undefined) continue;
    const sourcePath = `${String(m.sourceRoot ?? "")}${hit.slice(stackRoot.length)}`.replace(/^\/+/, "");
    const branch = String(m.defaultBranch ?? "main");
    return {
      status: 200,
      body: {
        config: m,
        sourceUrl: `https://github.com/${m.repoName}/blob/${branch}/${sourcePath}`,
        sourcePath,
        integrations: [{ provider: m.provider ?? { key: "github", name: "GitHub" } }],
      },
    };
  }
  return {
    status: 200,
    body: { config: null, sourceUrl: null, integrations: [], error: "stack_root_mismatch" },
  };
}

export const codeRoutes: Route[] = [
  ["GET", /^\/organizations\/([^/]+)\/code-mappings\/$/, listMappings],
  ["GET", /^\/projects\/([^/]+)\/([^/]+)\/stacktrace-link\/$/, stacktraceLink],
];
