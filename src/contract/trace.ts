import { z } from "zod";
import { traceCounts } from "./shared.ts";

const spanShape = z.object({
  span_id: z.string().nullable(),
  project: z.string().nullable(),
  op: z.string().nullable(),
  description: z.string().nullable(),
  duration_ms: z.number().nullable(),
  status: z.string().nullable(),
  http_status: z.number().nullable(),
});

const errorShape = z.object({
  kind: z.string(),
  project: z.string().nullable(),
  short_id: z.string().nullable(),
  issue_id: z.string().nullable(),
  event_id: z.string().nullable(),
  title: z.string().nullable(),
  culprit: z.string().nullable(),
  span_id: z.string().nullable(),
  this_event: z.boolean(),
  other_project: z.boolean(),
});

export const traceOutputShape = {
  trace_id: z.string(),
  source: z
    .enum(["trace", "events-trace"])
    .describe("events-trace = the legacy endpoint of older self-hosted Sentry"),
  span_count: z.number(),
  duration_ms: z.number().nullable(),
  services: z.array(z.object({ project: z.string(), spans: z.number(), errors: z.number() })),
  error_nodes: z
    .array(errorShape)
    .describe("This event first, then errors recorded by other projects, then the rest"),
  event_span_path: z.array(spanShape).describe("Root → the event's own span"),
  failing_calls: z.array(spanShape),
  slowest_spans: z.array(spanShape),
  occurrences: z.array(errorShape),
  meta: traceCounts,
  elided: z.object({
    path: z.number(),
    errors: z.number(),
    failing_calls: z.number(),
    slowest_spans: z.number(),
    occurrences: z.number(),
    services: z.number(),
  }),
};

export type TraceStructured = z.infer<z.ZodObject<typeof traceOutputShape>>;
