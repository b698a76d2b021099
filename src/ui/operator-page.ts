import { createHash } from "node:crypto";
import type { Dispatch, Job, JobState } from "../store/queue-types.ts";
import type { RunRecord } from "../store/types.ts";

/**
 * The operator page's HTML, rendered on the server with no script at all. Titles, errors, reasons and links
 * come from Sentry events, repositories and agents' callbacks, so every value is escaped, and a link is only
 * a link when it is plain https.
 */
export interface OperatorView {
  runs: RunRecord[];
  jobs: Job[];
  dispatches: Array<Dispatch & { issue: string }>;
  queue: Record<JobState, number> | null;
  analyses: { running: number; waiting: number };
  sessions: number;
  csrf: string | null;
  notice: string | null;
}

const STYLE = `body{font:13px/1.45 system-ui,sans-serif;margin:16px 20px;color:#1b1b1f}h1{font-size:18px}h2{font-size:15px;margin-top:22px}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}th{font-weight:600;color:#555}
code{font:12px ui-monospace,monospace}.figures span{display:inline-block;margin-right:14px}.dead{color:#b3261e}.mute{color:#666}.notice{background:#eef5ff;padding:6px 10px}
form{display:inline}button{font:inherit}`;

export const OPERATOR_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash("sha256").update(STYLE).digest("base64")}'`,
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};
export const esc = (value: unknown): string =>
  String(value ?? "").replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
const cut = (value: unknown, max: number): string => {
  const text = String(value ?? "");
  return esc(text.length > max ? `${text.slice(0, max)}…` : text);
};

function link(url: string | null, label: string): string {
  if (!url) return "";
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return cut(url, 200);
  }
  if (parsed.protocol !== "https:") return cut(url, 200);
  return `<a href="${esc(parsed.href)}" rel="noreferrer noopener" target="_blank">${esc(label)}</a>`;
}

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="same-origin"><title>${esc(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;

export function loginPage(failed: boolean): string {
  return page(
    "autofix-mcp · sign in",
    `<h1>autofix-mcp operators</h1>${failed ? '<p class="dead">That token is not this server\'s.</p>' : ""}
<form method="post" action="/ui/login"><label>HTTP token (AUTOFIX_HTTP_TOKEN) <input type="password" name="token" autocomplete="current-password" required></label> <button>Sign in</button></form>
<p class="mute">The token is exchanged for a session cookie (8 hours); it is never put in a URL.</p>`,
  );
}

export function operatorPage(view: OperatorView): string {
  const q = view.queue;
  const figures = `<p class="figures">${
    q
      ? (["queued", "running", "done", "skipped", "dead"] as const)
          .map((s) => `<span>${s} <b>${q[s] ?? 0}</b></span>`)
          .join("")
      : "<span>background handoff is off</span>"
  }<span>analyses running <b>${view.analyses.running}</b>, waiting <b>${view.analyses.waiting}</b></span><span>MCP sessions <b>${view.sessions}</b></span></p>`;
  return page(
    "autofix-mcp · operators",
    `<h1>autofix-mcp operators</h1>${view.notice ? `<p class="notice">${esc(view.notice)}</p>` : ""}${figures}
<h2>Recent runs (${view.runs.length})</h2>${runsTable(view.runs)}
<h2>Background jobs (${view.jobs.length})</h2>${jobsTable(view.jobs, view.csrf)}
<h2>Dispatches (${view.dispatches.length})</h2>${dispatchTable(view.dispatches)}
${view.csrf ? `<form method="post" action="/ui/logout"><input type="hidden" name="csrf" value="${esc(view.csrf)}"><button>Sign out</button></form>` : ""}`,
  );
}

function table(head: string[], rows: string[], empty: string): string {
  if (rows.length === 0) return `<p class="mute">${empty}</p>`;
  return `<table><tr>${head.map((h) => `<th>${h}</th>`).join("")}</tr>${rows.join("")}</table>`;
}

interface RootCauseSummary {
  verdict?: string;
  confidence?: { level?: string; score?: number };
  candidates?: Array<{ function?: string | null; path?: string | null; line?: number | null }>;
}

function runsTable(runs: RunRecord[]): string {
  const rows = runs.map((r) => {
    const rc = (r.stages.root_cause?.output ?? {}) as RootCauseSummary;
    const top = rc.candidates?.[0];
    const culprit = top ? `${top.function ?? "?"} · ${top.path ?? "?"}${top.line ? `:${top.line}` : ""}` : "";
    const stages = Object.values(r.stages)
      .map((s) => `${s.stage} r${s.revision}${s.status === "stale" ? " (stale)" : ""}`)
      .join(", ");
    return `<tr><td><code>${esc(r.issue.shortId ?? r.issue.id)}</code> ${cut(r.issue.title, 100)}</td><td>${esc(r.status)}</td><td>${esc(rc.verdict ?? "")}</td><td>${rc.confidence ? `${esc(rc.confidence.level)} ${Number(rc.confidence.score ?? 0).toFixed(2)}` : ""}</td><td><code>${cut(culprit, 160)}</code></td><td>${esc(stages)}</td><td class="mute">${esc(r.updatedAt)}<br><code>${esc(r.id)}</code></td></tr>`;
  });
  return table(
    ["issue", "status", "verdict", "confidence", "culprit", "stages", "updated"],
    rows,
    "No runs yet.",
  );
}

const STATE_ORDER: JobState[] = ["dead", "running", "queued", "skipped", "done"];

function jobsTable(jobs: Job[], csrf: string | null): string {
  const sorted = [...jobs].sort((a, b) => STATE_ORDER.indexOf(a.state) - STATE_ORDER.indexOf(b.state));
  const rows = sorted.map((j) => {
    const why =
      j.state === "dead" ? j.lastError : j.state === "skipped" ? j.reason : (j.reason ?? j.lastError);
    const retry =
      j.state === "dead" && csrf
        ? `<form method="post" action="/ui/jobs/${encodeURIComponent(j.id)}/retry"><input type="hidden" name="csrf" value="${esc(csrf)}"><button>Retry</button></form>`
        : "";
    return `<tr class="${j.state === "dead" ? "dead" : ""}"><td><b>${esc(j.state)}</b></td><td><code>${esc(j.shortId ?? j.issueId)}</code></td><td>${esc(j.step)}</td><td>${esc(j.attempts)}</td><td>${cut(why, 300)}</td><td class="mute">${esc(j.updatedAt)}<br><code>${esc(j.id)}</code></td><td>${retry}</td></tr>`;
  });
  return table(
    ["state", "issue", "step", "attempts", "reason / error", "updated", ""],
    rows,
    "No background jobs.",
  );
}

function dispatchTable(dispatches: OperatorView["dispatches"]): string {
  const rows = dispatches.map(
    (d) =>
      `<tr><td><code>${esc(d.issue)}</code></td><td>${esc(d.target)} (${esc(d.type)})</td><td><code>${cut(d.repository, 120)}</code></td><td>${esc(d.status)}</td><td>${link(d.url, "agent")}</td><td>${link(d.prUrl, "pull request")}</td><td class="mute">${esc(d.updatedAt)}</td></tr>`,
  );
  return table(["issue", "target", "repository", "status", "agent", "PR", "updated"], rows, "No dispatches.");
}
