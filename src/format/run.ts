import type { RunStructured } from "../contract/run.ts";
import { checkedOutput } from "../contract/stored.ts";
import type { Dispatch, Job } from "../store/queue.ts";
import type { RunRecord, RunSummary } from "../store/types.ts";
import { truncate } from "../text/clip.ts";
import { call, data, facts, field, lines, UNTRUSTED_NOTICE } from "./markdown.ts";

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
    // A run stored by another version still lists its stages, without the details that no longer parse.
    const rc = s.stage === "root_cause" ? checkedOutput("root_cause", s.output) : null;
    const plan = s.stage === "solution" ? checkedOutput("solution", s.output) : null;
    const detail = rc ? ` — ${truncate(rc.summary, 300)}` : plan ? ` — ${plan.steps.length} steps` : "";
    return `- **${s.stage}** revision ${s.revision} (${s.status}, ${s.createdAt})${rc ? ` · verdict ${rc.verdict} · confidence ${rc.confidence.level}` : ""}${detail}`;
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
