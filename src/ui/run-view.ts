import { createHash } from "node:crypto";
import { runViewApp } from "./run-view-app.ts";
import { runViewSections } from "./run-view-sections.ts";

/** The MCP Apps view of a run: what `analyze_root_cause`, `get_run` and `get_trace` name in `_meta.ui`. */
export const RUN_VIEW_URI = "ui://autofix/run";
export const MCP_APP_MIME = "text/html;profile=mcp-app";
/** The whole document, script and styles included; a test holds it (test/unit/run-view.test.ts). */
export const RUN_VIEW_BUDGET_BYTES = 24 * 1024;

const STYLE = `
:root{color-scheme:light dark;--fg:var(--color-text-primary,light-dark(#1b1b1f,#ececf1));--mute:var(--color-text-secondary,light-dark(#5f6170,#a4a6b3));--bg:var(--color-background-primary,light-dark(#fff,#17171a));--line:var(--color-border-primary,light-dark(#dcdce3,#34343b));--bad:light-dark(#c3272b,#ff6b6b);font:13px/1.45 var(--font-sans,system-ui,sans-serif);color:var(--fg);background:var(--bg)}
body{margin:0;padding:12px 14px}h1{font-size:16px;margin:0 0 4px}h2{font-size:14px;margin:16px 0 6px;border-bottom:1px solid var(--line);padding-bottom:3px}h3{font-size:13px;margin:10px 0 4px}
.title,.facts,.mute{color:var(--mute)}.verdict{text-transform:uppercase;font-size:11px;padding:1px 6px;border-radius:8px;border:1px solid var(--line)}
ol,ul{padding-left:20px;margin:4px 0}li{margin:3px 0}code,pre{font:12px var(--font-mono,ui-monospace,monospace)}pre{margin:4px 0;padding:4px 6px;border-left:3px solid var(--line);white-space:pre-wrap;overflow-wrap:anywhere}
.ev details{display:inline-block;margin-right:6px;vertical-align:top}.ev summary{cursor:pointer;font:11px var(--font-mono,monospace);color:var(--mute)}
.cands>li{border:1px solid var(--line);border-radius:6px;padding:6px 8px;margin:6px 0}.row{display:flex;gap:8px;align-items:center;flex-wrap:wrap}meter{width:70px}
.actions{display:flex;gap:6px;margin-top:4px}button{font:inherit;padding:2px 10px;border:1px solid var(--line);border-radius:5px;background:transparent;color:var(--fg);cursor:pointer}button:disabled{opacity:.5}
.wf .span{display:grid;grid-template-columns:minmax(180px,38%) 1fr 80px;gap:6px;align-items:center;padding:2px 0}.label{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}.track{background:light-dark(#f2f2f5,#222227);height:12px;border-radius:2px}.bar{height:12px;border-radius:2px;min-width:2px}
.failing .label{color:var(--bad);font-weight:600}.bar.fail{outline:2px solid var(--bad)}.dur{color:var(--mute);text-align:right}
.svc0{background:#4c7bd9}.svc1{background:#d98a1c}.svc2{background:#2aa876}.svc3{background:#9b59b6}.svc4{background:#c0392b}.svc5{background:#16a2b8}.chip{color:#fff;border-radius:8px;padding:0 6px;margin-right:4px;font-size:11px}
.hot li.app{font-weight:600}.files code{margin-right:8px}table{border-collapse:collapse}td,th{border-bottom:1px solid var(--line);padding:2px 8px;text-align:left}
#status{color:var(--mute);min-height:1.4em}#status.bad{color:var(--bad)}
`;

let cached: string | null = null;

/**
 * The self-contained document: no external resources, and a Content-Security-Policy that allows only this
 * script and these styles (by hash), no connections, no frames, no forms. Hosts add their own CSP on top.
 */
export function runViewHtml(): string {
  if (cached) return cached;
  const script = `(${runViewApp.toString()})(${runViewSections.toString()});`;
  const hash = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;
  const csp = [
    "default-src 'none'",
    `script-src ${hash(script)}`,
    `style-src ${hash(STYLE)}`,
    "img-src data:",
    "connect-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join("; ");
  cached = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${csp}"><meta name="viewport" content="width=device-width"><title>autofix run</title><style>${STYLE}</style></head>
<body><p id="status" role="status">Connecting to the host…</p><main id="app"></main><script>${script}</script></body></html>`;
  return cached;
}
