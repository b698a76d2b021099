/**
 * What the sandbox Sentry serves: one organisation's data, in Sentry's own JSON shapes (camelCase REST
 * payloads with all their quirks: string counts, nulls, mixed id types). The demo builds one; tests build
 * their own. Fields are raw JSON on purpose: the sandbox must be able to serve anything Sentry might send.
 */
export type Json = Record<string, unknown>;

export interface SandboxIssue {
  /** Issue details as `/organizations/{org}/issues/{id}/` returns them (`id`, `shortId`, `project`, …). */
  issue: Json;
  /** Full events as `/issues/{id}/events/{event_id}/` returns them, oldest first. */
  events: Json[];
  /** Which event `recommended` resolves to; defaults to the latest. */
  recommendedEventId?: string;
  /** Tag distributions: `[{key, name, totalValues, topValues: [{key, name, value, count, lastSeen, firstSeen}]}]`. */
  tags?: Json[];
}

export interface SandboxTrace {
  /** trace-meta in whichever key spelling the test wants to exercise. */
  meta?: Json;
  /** The current `/trace/{id}/` payload: an array of span nodes (and standalone issue refs). */
  nodes?: unknown[];
  /** The legacy `/events-trace/{id}/` payload, for older self-hosted installs. */
  legacy?: unknown;
}

export interface Scenario {
  organization: Json;
  projects: Json[];
  issues: SandboxIssue[];
  /** Keyed by trace ID. */
  traces?: Record<string, SandboxTrace>;
  /** Flat log rows as `/events/?dataset=logs` returns them. */
  logs?: Json[];
  /** Release details keyed by version. */
  releases?: Record<string, Json>;
  /** Release commits keyed by version. */
  releaseCommits?: Record<string, Json[]>;
  /** `/projects/{org}/{proj}/events/{id}/committers/` payloads keyed by event ID. */
  committers?: Record<string, Json>;
  /** Transaction profiles (v1) keyed by profile ID. */
  profiles?: Record<string, Json>;
  /** Continuous profile chunks keyed by profiler ID. */
  profileChunks?: Record<string, Json>;
  /** Aggregated flamegraphs keyed by transaction name. */
  flamegraphs?: Record<string, Json>;
  /** `/organizations/{org}/code-mappings/` rows. */
  codeMappings?: Json[];
  /** Which Sentry generation to imitate: older self-hosted installs lack `/trace/` and call logs `ourlogs`. */
  sentryVersion?: { traceEndpoint?: "current" | "legacy-only"; logsDataset?: "logs" | "ourlogs" };
  /** Extra routes a test needs: path (after /api/0, with trailing slash) → JSON body. */
  extraRoutes?: Record<string, unknown>;
}
