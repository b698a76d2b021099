import type { FunctionStat, HotPath, ProfileSummary } from "../analysis/profile.ts";
import type { ProfileStructured } from "../contract/profile.ts";
import type { ProfileData, ProfileFrame } from "../sentry/profiles.ts";
import { call, cell, data, facts, field, lines, UNTRUSTED_NOTICE } from "./markdown.ts";

const pct = (x: number) => Math.round(x * 1000) / 10;

function where(f: ProfileFrame): string {
  return f.file ? `${f.file}${f.line !== null ? `:${f.line}` : ""}` : "";
}

/** Root → leaf, with runs of three or more library frames folded and very deep paths shortened. */
function pathText(path: HotPath): string {
  const out: string[] = [];
  let pending: ProfileFrame[] = [];
  const flush = () => {
    if (pending.length >= 3) out.push(`… ${pending.length} library frames`);
    else for (const f of pending) out.push(data(f.name, 60));
    pending = [];
  };
  path.frames.forEach((f, i) => {
    const edge = i === 0 || i === path.frames.length - 1;
    if (!f.inApp && !edge) {
      pending.push(f);
      return;
    }
    flush();
    out.push(`${data(f.name, 80)}${f.inApp ? " **[app]**" : ""}`);
  });
  flush();
  const shown = out.length > 12 ? [...out.slice(0, 3), `… ${out.length - 11} more`, ...out.slice(-8)] : out;
  return shown.join(" → ");
}

function statRow(s: FunctionStat): string {
  return `| ${pct(s.selfShare)}% | ${pct(s.totalShare)}% | ${cell(s.frame.name, 70)} | ${cell(where(s.frame), 80)} | ${s.frame.inApp ? "yes" : ""} |`;
}

function statOut(s: FunctionStat) {
  return {
    function: s.frame.name,
    file: s.frame.file,
    line: s.frame.line,
    in_app: s.frame.inApp,
    self_pct: pct(s.selfShare),
    total_pct: pct(s.totalShare),
  };
}

export function renderProfile(
  profile: ProfileData,
  summary: ProfileSummary,
  source: string,
  tools: ReadonlySet<string>,
): { markdown: string; structured: ProfileStructured } {
  const unit =
    profile.unit === "nanoseconds"
      ? `${Math.round(summary.totalWeight / 1e6)} ms sampled`
      : `${summary.totalWeight} samples`;
  const hot = summary.hottestInApp;
  const markdown = lines(
    `# Profile: ${source}`,
    "",
    UNTRUSTED_NOTICE,
    "",
    facts(
      field("Kind", profile.kind),
      field("Transaction", profile.transaction ? data(profile.transaction, 100) : null),
      field("Platform", profile.platform),
      field("Release", profile.release ? data(profile.release, 60) : null),
    ),
    facts(field("Samples", String(summary.sampleCount)), field("Weight", unit)),
    hot
      ? field(
          "Hottest application function",
          `${data(hot.frame.name, 80)} at ${data(where(hot.frame), 100)} — ${pct(hot.selfShare)}% self, ${pct(hot.totalShare)}% total`,
        )
      : "**Hottest application function**: none — no sampled frame is marked in-app.",
    "",
    "## Hot paths (root → leaf)",
    ...summary.hotPaths.map((p, i) => `${i + 1}. ${pct(p.share)}% — ${pathText(p)}`),
    "",
    "## Top functions by self time",
    "| self | total | function | file:line | in app |",
    "|---|---|---|---|---|",
    ...summary.bySelf.map(statRow),
    "",
    "## Top functions by total time",
    "| self | total | function | file:line | in app |",
    "|---|---|---|---|---|",
    ...summary.byTotal.map(statRow),
    tools.has("search_issues") && profile.transaction
      ? `\n## Next\n- ${call("search_issues", { query: `transaction:"${profile.transaction}"` })} — issues on this transaction`
      : null,
  );
  return {
    markdown,
    structured: {
      kind: profile.kind,
      source,
      transaction: profile.transaction,
      samples: summary.sampleCount,
      hot_paths: summary.hotPaths.map((p) => ({
        share_pct: pct(p.share),
        frames: p.frames.map((f) => ({ function: f.name, file: f.file, line: f.line, in_app: f.inApp })),
      })),
      top_self: summary.bySelf.map(statOut),
      top_total: summary.byTotal.map(statOut),
      hottest_in_app: hot ? statOut(hot) : null,
    },
  };
}
