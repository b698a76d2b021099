import type { HandoffOutput } from "../contract/handoff.ts";
import { data, lines } from "./markdown.ts";

export function renderHandoff(out: HandoffOutput): string {
  const header = lines(
    `**Handoff** for run \`${out.run_id}\` → ${out.dispatch.target} (${out.dispatch.status})${out.dispatch.url ? ` — ${data(out.dispatch.url, 500)}` : ""}`,
    `**Branch**: \`${out.branch}\`${out.base_branch ? ` from \`${out.base_branch}\`` : ""} · **PR**: ${out.draft ? "draft, " : ""}${data(out.pr_title, 200)} · **Brief**: ${out.size} characters${out.truncated.length ? ` (${out.truncated.join(", ")})` : ""}`,
    ...((out.dispatches?.length ?? 0) > 1
      ? out.dispatches!.map(
          (d, i) =>
            `**Part ${i + 1}**: \`${d.repo ?? "—"}\` → ${d.target} (${d.status})${d.url ? ` — ${data(d.url, 500)}` : ""}`,
        )
      : []),
    out.notes.length ? `**Notes**: ${out.notes.join(" ")}` : null,
    "",
    out.dispatch.status === "ready"
      ? (out.dispatches?.length ?? 0) > 1
        ? "Follow the brief below part by part, each in a checkout of its repository."
        : "Follow the brief below in this repository checkout."
      : null,
    "",
    "---",
    "",
  );
  return `${header}${out.brief}`;
}
