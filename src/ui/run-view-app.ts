/// <reference lib="dom" />
import type { SectionKit, Sections } from "./run-view-sections.ts";

/**
 * The run view's script, run inside the host's sandboxed iframe. It is serialised with
 * `Function.prototype.toString()` into the HTML (src/ui/run-view.ts), so it must stay self-contained:
 * nothing from outside this function is in scope there but the read-only sections it is passed
 * (src/ui/run-view-sections.ts, serialised the same way). It is one function, longer than our 80 lines,
 * for that reason.
 *
 * It speaks MCP Apps over postMessage: `ui/initialize`, then renders each `ui/notifications/tool-result`
 * from `structuredContent`, and calls tools (`get_run`, `get_trace`, `get_profile`, `add_feedback`,
 * `edit_solution`, `propose_solution`, `hand_off`) through the host with `tools/call`. Everything shown comes
 * from Sentry events or repositories, which anyone with a DSN can write: it is only ever set as text
 * (`textContent`, text nodes), never parsed as HTML.
 */
// biome-ignore lint/suspicious/noExplicitAny: tool results are JSON read field by field, each checked where used
type Json = any;

export function runViewApp(readOnlySections: (kit: SectionKit) => Sections): void {
  const app = document.getElementById("app") as HTMLElement;
  const status = document.getElementById("status") as HTMLElement;
  const pending = new Map<number, { ok: (v: Json) => void; fail: (e: Error) => void }>();
  let nextId = 1;
  let input: Json = {};
  const state: Json = {
    rc: null,
    run: null,
    trace: null,
    profile: null,
    plan: null,
    handoff: null,
    runs: null,
  };

  const post = (message: Json) => window.parent.postMessage({ jsonrpc: "2.0", ...message }, "*");
  const request = (method: string, params: Json): Promise<Json> =>
    new Promise((ok, fail) => {
      const id = nextId++;
      pending.set(id, { ok, fail });
      post({ id, method, params });
    });
  const callTool = async (name: string, args: Json): Promise<Json> => {
    const result = await request("tools/call", { name, arguments: args });
    if (result?.isError) {
      const text = (result.content ?? []).map((c: Json) => c?.text ?? "").join(" ");
      throw new Error(text || `${name} failed`);
    }
    return result?.structuredContent ?? {};
  };

  window.addEventListener("message", (event) => {
    if (event.source !== window.parent) return;
    const m = event.data;
    if (m?.jsonrpc !== "2.0") return;
    if (m.method === undefined && typeof m.id === "number") {
      const waiter = pending.get(m.id);
      pending.delete(m.id);
      if (m.error) waiter?.fail(new Error(String(m.error.message ?? "request failed")));
      else waiter?.ok(m.result);
    } else if (m.method === "ui/notifications/tool-input") {
      input = m.params?.arguments ?? {};
    } else if (m.method === "ui/notifications/tool-result") {
      void show(m.params?.structuredContent ?? {});
    } else if (m.method === "ui/notifications/tool-cancelled") {
      say("The tool call was cancelled.");
    } else if (m.method === "ui/notifications/host-context-changed") {
      theme(m.params);
    } else if (m.id !== undefined && m.method === "ui/resource-teardown") {
      post({ id: m.id, result: {} });
    } else if (m.id !== undefined) {
      post({ id: m.id, error: { code: -32601, message: `not supported: ${String(m.method)}` } });
    }
  });

  function theme(context: Json): void {
    if (context?.theme === "dark" || context?.theme === "light")
      document.documentElement.style.colorScheme = context.theme;
  }

  /** `h("li", {class: "x"}, "text", child)`: strings become text nodes, never markup. */
  function h(tag: string, attrs: Record<string, string> | null, ...children: Array<Node | string | null>) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs ?? {})) node.setAttribute(k, v);
    for (const c of children)
      if (c !== null) node.append(typeof c === "string" ? document.createTextNode(c) : c);
    return node;
  }
  function say(text: string, bad = false): void {
    status.textContent = text;
    status.className = bad ? "bad" : "";
  }
  function button(label: string, title: string, action: () => Promise<void>): HTMLElement {
    const b = h("button", { type: "button", title }, label) as HTMLButtonElement;
    b.addEventListener("click", async () => {
      b.disabled = true;
      say(`${title}…`);
      try {
        await action();
        say(`${title}: done.`);
      } catch (error) {
        say(`${title} failed: ${(error as Error).message}`, true);
      } finally {
        b.disabled = false;
      }
    });
    return b;
  }
  const text = (v: Json, max = 400) =>
    typeof v === "string" ? (v.length > max ? `${v.slice(0, max)}…` : v) : "";
  const ms = (v: Json) =>
    typeof v === "number" ? (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v)} ms`) : "?";

  const { waterfall, hotPath, runList } = readOnlySections({ state, h, text, ms });

  async function show(sc: Json): Promise<void> {
    if (Array.isArray(sc.candidates) && Array.isArray(sc.causal_chain)) {
      state.rc = sc;
      await loadRun(sc.run_id);
    } else if ("run" in sc && sc.run) {
      state.run = sc.run;
      fromRun();
    } else if (Array.isArray(sc.runs)) {
      state.runs = sc.runs;
    } else if (typeof sc.trace_id === "string") {
      state.trace = sc;
    } else if (Array.isArray(sc.steps)) {
      state.plan = sc;
    }
    render();
    await enrich();
  }

  async function loadRun(runId: string): Promise<void> {
    try {
      state.run = (await callTool("get_run", { run_id: runId })).run;
      fromRun();
    } catch (error) {
      say(`get_run failed: ${(error as Error).message}`, true);
    }
  }
  function fromRun(): void {
    const stages = state.run?.stages ?? {};
    if (stages.root_cause?.output) state.rc = stages.root_cause.output;
    state.plan = stages.solution?.output ?? null;
    if (state.plan) state.plan.stale = stages.solution.status === "stale";
  }

  /** The trace and, when the root cause used one, the profile: fetched once per view through the host. */
  async function enrich(): Promise<void> {
    const issue = state.rc?.issue?.short_id ?? state.rc?.issue?.id ?? state.run?.issue?.id;
    if (!issue) return;
    if (!state.trace) {
      state.trace = await callTool("get_trace", { issue }).catch(() => ({ missing: true }));
      render();
    }
    const profiled = (state.run?.evidence ?? []).some((e: Json) => e?.kind === "profile");
    if (profiled && !state.profile) {
      state.profile = await callTool("get_profile", { issue }).catch(() => null);
      render();
    }
  }

  function render(): void {
    const sections = [header(), chain(), candidates(), waterfall(), hotPath(), plan(), runList()];
    app.replaceChildren(...sections.filter((s): s is HTMLElement => s !== null));
    post({
      method: "ui/notifications/size-changed",
      params: { width: document.body.scrollWidth, height: document.body.scrollHeight },
    });
  }

  function evidenceById(id: string): Json {
    return (state.run?.evidence ?? []).find((e: Json) => e?.id === id) ?? null;
  }
  function evidenceList(ids: Json): HTMLElement {
    const list = h("span", { class: "ev" });
    for (const id of Array.isArray(ids) ? ids : []) {
      const e = evidenceById(id);
      const d = h("details", null, h("summary", null, String(id)));
      if (e) {
        d.append(h("div", null, text(e.summary, 300)));
        if (typeof e.data?.code === "string") d.append(h("pre", null, text(e.data.code, 300)));
      }
      list.append(d);
    }
    return list;
  }

  function header(): HTMLElement | null {
    const rc = state.rc;
    if (!rc) return null;
    const ref = rc.issue?.short_id ?? rc.issue?.id ?? "";
    return h(
      "header",
      null,
      h("h1", null, `${ref} · `, h("span", { class: "title" }, text(rc.issue?.title, 200))),
      h(
        "p",
        { class: "facts" },
        h("b", { class: `verdict ${text(rc.verdict)}` }, text(rc.verdict)),
        ` confidence ${text(rc.confidence?.level)} (${Number(rc.confidence?.score ?? 0).toFixed(2)}) · revision ${Number(rc.revision ?? 0)} · run ${text(rc.run_id)}`,
      ),
      h("p", null, text(rc.summary, 600)),
    );
  }

  function chain(): HTMLElement | null {
    const steps = state.rc?.causal_chain;
    if (!Array.isArray(steps) || steps.length === 0) return null;
    const ol = h("ol", { class: "chain" });
    for (const s of steps)
      ol.append(h("li", null, h("div", null, text(s.description, 500)), evidenceList(s.evidence)));
    return h("section", { id: "chain" }, h("h2", null, "Causal chain (cause → effect)"), ol);
  }

  function candidates(): HTMLElement | null {
    const rc = state.rc;
    const list = rc?.candidates;
    if (!Array.isArray(list) || list.length === 0) return null;
    const ol = h("ol", { class: "cands" });
    list.slice(0, 5).forEach((c: Json, i: number) => {
      const rank = i + 1;
      const where = `${c.repo ? `${c.repo}: ` : ""}${c.path ?? "?"}${c.line ? `:${c.line}` : ""}`;
      const code = (Array.isArray(c.evidence) ? c.evidence : [])
        .map(evidenceById)
        .find((e: Json) => typeof e?.data?.code === "string");
      const feedback = (args: Json) => async () => {
        state.rc = await callTool("add_feedback", { run_id: rc.run_id, ...args });
        await loadRun(rc.run_id);
        render();
      };
      ol.append(
        h(
          "li",
          null,
          h(
            "div",
            { class: "row" },
            h("b", null, text(c.function ?? "<unknown>", 120)),
            h("code", null, text(where, 300)),
            h("meter", { min: "0", max: "1", value: String(Number(c.score) || 0) }),
            ` ${Number(c.score ?? 0).toFixed(2)}`,
          ),
          code ? h("pre", null, text(code.data.code, 300)) : null,
          h(
            "ul",
            null,
            ...(Array.isArray(c.reasons) ? c.reasons : [])
              .slice(0, 4)
              .map((r: Json) => h("li", null, text(r, 300))),
          ),
          h(
            "div",
            { class: "actions" },
            button("Confirm", `Confirm candidate ${rank}`, feedback({ confirm: rank })),
            button("Reject", `Reject candidate ${rank}`, feedback({ reject: rank })),
            c.path
              ? button(
                  "Pin",
                  `Pin ${where}`,
                  feedback({
                    path: c.path,
                    ...(c.line ? { line: c.line } : {}),
                    ...(c.repo ? { repo: c.repo } : {}),
                    ...(c.function ? { function: c.function } : {}),
                  }),
                )
              : null,
          ),
        ),
      );
    });
    return h("section", { id: "candidates" }, h("h2", null, "Candidates (best first)"), ol);
  }

  function plan(): HTMLElement | null {
    const rc = state.rc;
    if (!rc?.run_id || rc.verdict !== "in_app") return null;
    const p = state.plan;
    const section = h(
      "section",
      { id: "plan" },
      h("h2", null, p?.stale ? "Plan (stale: the root cause changed)" : "Plan"),
    );
    const refresh = async () => {
      await loadRun(rc.run_id);
      render();
    };
    if (!p || p.stale)
      section.append(
        button("Propose a plan", "Propose a plan", async () => {
          state.plan = await callTool("propose_solution", { run_id: rc.run_id });
          await refresh();
        }),
      );
    if (p) {
      const ol = h("ol", { class: "steps" });
      for (const s of Array.isArray(p.steps) ? p.steps : []) {
        ol.append(
          h(
            "li",
            null,
            h("b", null, text(s.title, 200)),
            h("div", null, text(s.description, 600)),
            h("div", { class: "files" }, ...(s.files ?? []).map((f: Json) => h("code", null, text(f, 200)))),
            h(
              "div",
              { class: "actions" },
              button("Remove", `Remove step ${text(s.id, 20)}`, async () => {
                state.plan = await callTool("edit_solution", { run_id: rc.run_id, remove: [s.id] });
                await refresh();
              }),
            ),
          ),
        );
      }
      section.append(ol);
      for (const t of Array.isArray(p.tests) ? p.tests : [])
        section.append(
          h(
            "p",
            null,
            "Test: ",
            text(t.title, 200),
            " ",
            h("code", null, text(t.command ?? t.file ?? "", 200)),
          ),
        );
      if (!p.stale)
        section.append(
          button("Hand off", "Hand off", async () => {
            state.handoff = await callTool("hand_off", {
              run_id: rc.run_id,
              target: input?.target ?? "chat",
            });
            render();
          }),
        );
    }
    const ho = state.handoff;
    if (ho)
      section.append(
        h(
          "p",
          { class: "handoff" },
          `Handed off: ${text(ho.dispatch?.target ?? "chat")} · ${text(ho.dispatch?.status ?? "")} · branch `,
          h("code", null, text(ho.branch, 120)),
          ` · ${text(ho.pr_title, 200)}`,
        ),
      );
    return section;
  }

  request("ui/initialize", {
    appInfo: { name: "autofix-run-view", version: "1" },
    appCapabilities: {},
    protocolVersion: "2026-01-26",
  })
    .then((result) => {
      theme(result?.hostContext);
      post({ method: "ui/notifications/initialized", params: {} });
      say("Waiting for the tool result…");
    })
    .catch((error) => say(`The host did not initialise the view: ${(error as Error).message}`, true));
}
