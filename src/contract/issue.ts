import { z } from "zod";
import { traceCounts } from "./shared.ts";

/** The structured result of get_issue: a public contract (snake_case, nullable rather than absent). */
const frame = z.object({
  file: z.string().nullable(),
  abs_path: z.string().nullable(),
  module: z.string().nullable(),
  function: z.string().nullable(),
  line: z.number().nullable(),
  column: z.number().nullable(),
  in_app: z.boolean(),
  context: z.string().nullable().describe("The source line at `line`, when Sentry captured it"),
});

export const issueOutputShape = {
  issue: z.object({
    id: z.string(),
    short_id: z.string().nullable(),
    title: z.string(),
    project: z.string(),
    kind: z.string(),
    level: z.string(),
    status: z.string(),
    substatus: z.string().nullable(),
    culprit: z.string().nullable(),
    count: z.number().nullable(),
    user_count: z.number().nullable(),
    first_seen: z.string().nullable(),
    last_seen: z.string().nullable(),
    first_release: z.string().nullable(),
    permalink: z.string().nullable(),
    fixability_score: z.number().nullable(),
  }),
  event: z
    .object({
      id: z.string(),
      selector: z.string(),
      type: z.string(),
      date: z.string().nullable(),
      environment: z.string().nullable(),
      release: z.string().nullable(),
      platform: z.string().nullable(),
      trace_id: z.string().nullable(),
      span_id: z.string().nullable(),
      profile_id: z.string().nullable(),
      profiler_id: z.string().nullable(),
      replay_id: z.string().nullable(),
    })
    .nullable(),
  exception_chain: z
    .array(
      z.object({
        type: z.string().nullable(),
        value: z.string().nullable(),
        role: z.string(),
        relation: z
          .enum(["cause", "context", "group_member"])
          .nullable()
          .describe("What it is to `parent`, when the SDK said"),
        parent: z.number().nullable().describe("Position in this list of the exception it led to"),
        handled: z.boolean().nullable(),
        mechanism: z.string().nullable(),
      }),
    )
    .describe("Oldest → newest; role `origin` marks where it started"),
  culprit_frame: frame
    .nullable()
    .describe("The in-app frame nearest the throw site; null when every frame is library code"),
  frames: z.array(frame).describe("In-app frames, nearest the throw site first"),
  breadcrumbs: z.array(
    z.object({
      timestamp: z.string().nullable(),
      category: z.string().nullable(),
      level: z.string().nullable(),
      message: z.string(),
    }),
  ),
  request: z.object({ method: z.string().nullable(), url: z.string().nullable() }).nullable(),
  tags: z.array(
    z.object({
      key: z.string(),
      values: z.array(z.object({ value: z.string(), count: z.number().nullable() })),
    }),
  ),
  processing_errors: z.array(z.object({ type: z.string(), message: z.string().nullable() })),
  evidence: z.array(z.object({ name: z.string(), value: z.string() })),
  release: z
    .object({
      version: z.string(),
      date_released: z.string().nullable(),
      commit_count: z.number().nullable(),
      first_release: z.string().nullable().describe("The release the issue was first seen in"),
      is_first_release: z
        .boolean()
        .nullable()
        .describe("True when this event's release is where the issue started"),
    })
    .nullable(),
  suspect_commits: z
    .array(
      z.object({
        sha: z.string(),
        subject: z.string().nullable(),
        author: z.string().nullable(),
        date: z.string().nullable(),
        repository: z.string().nullable(),
        type: z.string().nullable(),
      }),
    )
    .nullable()
    .describe("Sentry's suspect commits; [] when it has none, null when they could not be fetched"),
  trace_summary: traceCounts,
  source_maps_missing: z
    .boolean()
    .describe("Sentry reported missing source files or source maps for this event"),
  unavailable: z.array(z.string()).describe("Enrichments that failed and were left out"),
};

export type IssueStructured = z.infer<z.ZodObject<typeof issueOutputShape>>;
export type StructuredFrame = z.infer<typeof frame>;
