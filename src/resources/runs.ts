import type { Context } from "../context.ts";
import { notFound } from "../errors.ts";
import { runStructured } from "../format/run.ts";
import { scrubDeep } from "../text/scrub.ts";
import type { ResourceTemplateDefinition } from "./types.ts";

/** Stored runs as JSON resources (`autofix://runs/{id}`); get_run shows the same record. */
export const runsResource: ResourceTemplateDefinition = {
  name: "runs",
  uriTemplate: "autofix://runs/{id}",
  metadata: {
    title: "Root-cause runs",
    description: "A stored run: stages, outputs, feedback and evidence.",
    mimeType: "application/json",
  },
  async list(context: Context) {
    return context
      .store()
      .listRuns({ limit: 50 })
      .map((r) => ({
        uri: `autofix://runs/${r.id}`,
        name: `${r.issue.shortId ?? r.issue.id} · ${r.id}`,
        mimeType: "application/json",
      }));
  },
  async read(uri, variables, context) {
    const id = Array.isArray(variables.id) ? variables.id[0] : variables.id;
    const run = id ? context.store().getRun(decodeURIComponent(id)) : null;
    if (!run) throw notFound(`run ${id ?? ""} does not exist.`, "List runs with get_run.");
    const body = scrubDeep(runStructured(run), { secrets: context.secrets });
    return {
      contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify(body, null, 2) }],
    };
  },
};
