/// <reference lib="dom" />

/**
 * The run view's read-only sections (the trace waterfall, the profile's hot path, the recent runs), built
 * from the view's state with the app's element builder. Serialised with `toString()` beside runViewApp (see
 * src/ui/run-view-app.ts), so, like it, it must stay self-contained: it reaches everything through `kit`.
 * It is one function, longer than our 80 lines, for that reason.
 */
// biome-ignore lint/suspicious/noExplicitAny: tool results are JSON read field by field, each checked where used
type Json = any;

export interface SectionKit {
  state: Json;
  h(tag: string, attrs: Record<string, string> | null, ...children: Array<Node | string | null>): HTMLElement;
  text(v: Json, max?: number): string;
  ms(v: Json): string;
}

export interface Sections {
  waterfall(): HTMLElement | null;
  hotPath(): HTMLElement | null;
  runList(): HTMLElement | null;
}

export function runViewSections(kit: SectionKit): Sections {
  const { h, text, ms } = kit;
  function waterfall(): HTMLElement | null {
    const t = kit.state.trace;
    if (!t || t.missing)
      return t?.missing
        ? h("section", { id: "trace" }, h("h2", null, "Trace"), h("p", null, "No trace for this event."))
        : null;
    const path: Json[] = Array.isArray(t.event_span_path) ? t.event_span_path : [];
    const longest = Math.max(1, ...path.map((s) => Number(s.duration_ms) || 0));
    const services: string[] = (t.services ?? []).map((s: Json) => String(s.project));
    const hue = (p: Json) => `svc${Math.max(0, services.indexOf(String(p))) % 6}`;
    const failing = new Set((t.failing_calls ?? []).map((s: Json) => s.span_id));
    const thisEvent = (t.error_nodes ?? []).find((e: Json) => e.this_event)?.span_id;
    const rows = h("div", { class: "wf" });
    path.forEach((s, depth) => {
      const width = Math.max(0.5, ((Number(s.duration_ms) || 0) / longest) * 100);
      const bad = failing.has(s.span_id) || s.span_id === thisEvent;
      const bar = h("div", { class: `bar ${hue(s.project)}${bad ? " fail" : ""}` });
      bar.style.width = `${width}%`;
      const label = h(
        "div",
        { class: "label" },
        text(s.project ?? "?", 60),
        " · ",
        h("code", null, text(s.op ?? "", 60)),
        ` ${text(s.description ?? "", 120)}`,
      );
      label.style.paddingLeft = `${depth * 12}px`;
      rows.append(
        h(
          "div",
          { class: `span${bad ? " failing" : ""}`, title: text(s.description ?? "", 300) },
          label,
          h("div", { class: "track" }, bar),
          h("span", { class: "dur" }, `${ms(s.duration_ms)}${s.http_status ? ` · ${s.http_status}` : ""}`),
        ),
      );
    });
    const others = (t.error_nodes ?? []).filter((e: Json) => e.other_project);
    return h(
      "section",
      { id: "trace" },
      h("h2", null, `Trace ${text(t.trace_id, 40)} · ${Number(t.span_count ?? 0)} spans`),
      h("p", { class: "legend" }, ...services.map((p) => h("span", { class: `chip ${hue(p)}` }, p))),
      rows,
      others.length ? h("h3", null, "Errors in other services") : null,
      others.length
        ? h(
            "ul",
            { class: "others" },
            ...others.map((e: Json) =>
              h(
                "li",
                null,
                h("span", { class: `chip ${hue(e.project)}` }, text(e.project, 60)),
                ` ${text(e.short_id ?? "", 40)} `,
                text(e.title, 200),
              ),
            ),
          )
        : null,
    );
  }

  function hotPath(): HTMLElement | null {
    const hot = kit.state.profile?.hot_paths?.[0];
    if (!hot || !Array.isArray(hot.frames)) return null;
    const ol = h("ol", { class: "hot" });
    for (const f of hot.frames.slice(-12))
      ol.append(
        h(
          "li",
          { class: f.in_app ? "app" : "" },
          text(f.name, 120),
          f.file ? h("code", null, ` ${text(f.file, 200)}${f.line ? `:${f.line}` : ""}`) : null,
        ),
      );
    return h(
      "section",
      { id: "profile" },
      h("h2", null, `Profile hot path (${Number(hot.share_pct ?? 0)}% of samples)`),
      ol,
    );
  }

  function runList(): HTMLElement | null {
    if (!Array.isArray(kit.state.runs) || kit.state.rc) return null;
    const rows = kit.state.runs.map((r: Json) =>
      h(
        "tr",
        null,
        h("td", null, text(r.issue?.short_id ?? r.issue?.id, 60)),
        h("td", null, text(r.issue?.title, 120)),
        h("td", null, text(r.status, 20)),
        h("td", null, (r.stages ?? []).join(", ")),
      ),
    );
    return h(
      "section",
      { id: "runs" },
      h("h2", null, "Recent runs"),
      h(
        "table",
        null,
        h(
          "tr",
          null,
          h("th", null, "issue"),
          h("th", null, "title"),
          h("th", null, "status"),
          h("th", null, "stages"),
        ),
        ...rows,
      ),
    );
  }
  return { waterfall, hotPath, runList };
}
