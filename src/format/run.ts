import { z } from "zod";
import type { Dispatch, Job } from "../store/queue.ts";
import type { RunRecord, RunSummary } from "../store/types.ts";
import { call, data, facts, field, lines, truncate, UNTRUSTED_NOTICE } from "./markdown.ts";

const summaryShape = z.object({
  id: z.string(),
  issue: z.object({
    id: z.string(),
    short_id: z.string().nullable(),
    title: z.string(),
    project: z.string().nullable(),
  }),
  status: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  stages: z.array(z.string()),
});

export const runOutputShape = {
  run: z
    .object({
      id: z.string(),
      org: z.string(),
      issue: z.object({
        id: z.string(),
        short_id: z.string().nullable(),
        title: z.string(),
        project: z.string().nullable(),
      }),
      status: z
        .string()
        .describe("running, completed, failed, or interrupted (its process stopped mid-analysis)"),
      error: z.string().nullable(),
      created_at: z.string(),
      updated_at: z.string(),
      stages: z.record(
        z.string(),
        z.object({ revision: z.number(), status: z.string(), created_at: z.string(), output: z.unknown() }),
      ),
      feedback: z.array(
        z.object({ seq: z.number(), kind: z.string(), payload: z.unknown(), created_at: z.string() }),
      ),
      evidence: z.array(
        z.object({ id: z.string(), kind: z.string(), summary: z.string(), data: z.unknown() }),
      ),
      dispatches: z
        .array(
          z.object({
            target: z.string(),
            repository: z.string().nullable(),
            status: z.string(),
            url: z.string().nullable(),
            pr_url: z.string().nullable(),
            summary: z.string().nullable(),
            updated_at: z.string(),
          }),
        )
        .describe("Background coding agents this run was handed to, with their state and pull request"),
    })
    .nullable()
    .describe("The run asked for, in full"),
  runs: z.array(summaryShape).describe("Recent runs, when no run_id was given"),
  jobs: z
    .array(
      z.object({
        id: z.string(),
        issue_id: z.string(),
        short_id: z.string().nullable(),
        state: z.string(),
        step: z.string(),
        run_id: z.string().nullable(),
        reason: z.string().nullable(),
        last_error: z.string().nullable(),
        updated_at: z.string(),
      }),
    )
    .describe(
      "Background jobs started by Sentry webhooks (with why one was skipped), when no run_id was given",
    ),
};

export type RunStructured = z.infer<z.ZodObject<typeof runOutputShape>>;

export function runStructured(
  run: RunRecord,
  dispatches: Dispatch[] = [],
): NonNullable<RunStructured["run"]> {
  return {
    id: run.id,
    org: run.org,
    issue: {
      id: run.issue.id,
      short_id: run.issue.shortId,
      title: run.issue.title,
      project: run.issue.project,
    },
    status: run.status,
    error: run.error,
    created_at: run.createdAt,
    updated_at: run.updatedAt,
    stages: Object.fromEntries(
      Object.entries(run.stages).map(([k, s]) => [
        k,
        { revision: s.revision, status: s.status, created_at: s.createdAt, output: s.output },
      ]),
    ),
    feedback: run.feedback.map((f) => ({
      seq: f.seq,
      kind: f.kind,
      payload: f.payload,
      created_at: f.createdAt,
    })),
    evidence: run.evidence,
    dispatches: dispatches.map((d) => ({
      target: d.target,
      repository: d.repository,
      status: d.status,
      url: d.url,
      pr_url: d.prUrl,
      summary: d.summary,
      updated_at: d.updatedAt,
    })),
  };
}

export function jobStructured(j: Job): RunStructured["jobs"][number] {
  return {
    id: j.id,
    issue_id: j.issueId,
    short_id: j.shortId,
    state: j.state,
    step: j.step,
    run_id: j.runId,
    reason: j.reason,
    last_error: j.lastError,
    updated_at: j.updatedAt,
  };
}

export function summaryStructured(r: RunSummary): RunStructured["runs"][number] {
  return {
    id: r.id,
    issue: { id: r.issue.id, short_id: r.issue.shortId, title: r.issue.title, project: r.issue.project },
    status: r.status,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
    stages: r.stages,
  };
}

export function renderRun(run: RunRecord, dispatches: Dispatch[] = []): string {
  const stageLines = Object.values(run.stages).map((s) => {
    const out = s.output as {
      summary?: string;
      verdict?: string;
      confidence?: { level: string };
      steps?: unknown[];
    };
    const detail = out.summary
      ? ` — ${truncate(out.summary, 300)}`
      : out.steps
        ? ` — ${out.steps.length} steps`
        : "";
    return `- **${s.stage}** revision ${s.revision} (${s.status}, ${s.createdAt})${out.verdict ? ` · verdict ${out.verdict}` : ""}${out.confidence ? ` · confidence ${out.confidence.level}` : ""}${detail}`;
  });
  return lines(
    `# Run \`${run.id}\``,
    "",
    UNTRUSTED_NOTICE,
    "",
    facts(
      field("Issue", `\`${run.issue.shortId ?? run.issue.id}\` ${data(run.issue.title, 120)}`),
      field("Project", run.issue.project ? `\`${run.issue.project}\`` : null),
    ),
    facts(field("Status", run.status), field("Created", run.createdAt), field("Updated", run.updatedAt)),
    run.error ? field("Error", data(run.error, 300)) : null,
    "",
    "## Stages",
    ...(stageLines.length > 0 ? stageLines : ["none completed"]),
    run.feedback.length > 0 ? "\n## Feedback" : null,
    ...run.feedback.map(
      (f) => `- #${f.seq} ${f.kind} (${f.createdAt}): ${data(JSON.stringify(f.payload), 300)}`,
    ),
    dispatches.length > 0 ? "\n## Handoffs" : null,
    ...dispatches.map(
      (d) =>
        `- ${d.target} → ${data(d.repository, 120)}: **${data(d.status, 20)}**${d.url ? ` — ${data(d.url, 500)}` : ""}${d.prUrl ? ` · PR ${data(d.prUrl, 500)}` : ""} (${d.updatedAt})`,
    ),
    "",
    `## Evidence (${run.evidence.length})`,
    ...run.evidence.slice(0, 80).map((e) => `- \`${e.id}\` (${e.kind}): ${data(e.summary, 240)}`),
    run.evidence.length > 80 ? `- … ${run.evidence.length - 80} more in structuredContent` : null,
    "",
    "## Next",
    `- ${call("add_feedback", { run_id: run.id, message: "what you found" })} — refine the root cause`,
  );
}

export function renderRunList(runs: RunSummary[], jobs: Job[] = []): string {
  const jobLines = jobs.map(
    (j) =>
      `- \`${j.id}\` ${j.shortId ?? j.issueId}: ${j.state} at ${j.step}${j.runId ? ` (run \`${j.runId}\`)` : ""}${j.reason ? ` — ${j.reason}` : ""}${j.lastError ? ` — last error: ${truncate(j.lastError, 200)}` : ""}`,
  );
  return renderRuns(runs) + (jobLines.length ? `\n\n## Background jobs\n${jobLines.join("\n")}` : "");
}

function renderRuns(runs: RunSummary[]): string {
  if (runs.length === 0)
    return '# Runs\n\nNo runs yet. Start one with `analyze_root_cause {"issue": "<short ID>"}`.';
  return lines(
    "# Recent runs",
    "",
    "| run | issue | status | stages | updated |",
    "|---|---|---|---|---|",
    ...runs.map(
      (r) =>
        `| \`${r.id}\` | \`${r.issue.shortId ?? r.issue.id}\` ${data(r.issue.title, 60)} | ${r.status} | ${r.stages.join(", ") || "—"} | ${r.updatedAt} |`,
    ),
  );
}
