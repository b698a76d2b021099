import type { IncomingMessage, ServerResponse } from "node:http";
import { isLoopbackHost } from "../config.ts";
import type { Context } from "../context.ts";
import { loginPage, OPERATOR_CSP, type OperatorView, operatorPage } from "../ui/operator-page.ts";
import { readBodyBytes } from "./body.ts";
import { tokenMatches } from "./http-guard.ts";
import { OperatorSessions } from "./operator-session.ts";

/**
 * `/ui`, the operators' page: recent runs, background jobs by state, dispatches and the queue figures. Read
 * only, except "retry" on a dead job. With a token configured it needs the token once (exchanged for a
 * session cookie); without one the server only listens on loopback, like `/mcp`, and the page is open there.
 */
export interface OperatorHooks {
  sessionCount(): number;
  /** Whether background handoff runs here (the queue figures are shown, as on /healthz). */
  automation: boolean;
  /** Wakes the worker so a retried job starts now. */
  kick(): void;
}

const FORM_MAX_BYTES = 4096;
const RUNS_SHOWN = 30;
const JOBS_SHOWN = 100;

export function operatorRoute(context: Context, hooks: OperatorHooks) {
  const { http } = context.config;
  const sessions = new OperatorSessions();
  const token = http.token;

  return async function handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    // The server refuses to start like this; the page refuses too, in case that ever changes.
    if (!token && !isLoopbackHost(http.host)) return send(res, 404, "text/plain", "not found");
    const method = req.method ?? "GET";
    if (path === "/ui/login" && method === "POST") {
      const form = await readForm(req, http.bodyTimeoutMs);
      if (token && !tokenMatches(`Bearer ${form?.get("token") ?? ""}`, token))
        return send(res, 401, "text/html", loginPage(true));
      sessions.open(res);
      return redirect(res, "/ui");
    }
    let session = sessions.find(req);
    if (!session && token && tokenMatches(header(req, "authorization"), token)) session = sessions.open(res);
    if (!session && !token) session = sessions.open(res);
    if (!session) return send(res, 401, "text/html", loginPage(false));

    if (method === "POST") {
      const form = await readForm(req, http.bodyTimeoutMs);
      // The cookie is SameSite=Strict and the Origin is checked before this; the form token is a third lock.
      if (!form || form.get("csrf") !== session.csrf) return send(res, 403, "text/plain", "bad form token");
      if (path === "/ui/logout") {
        sessions.close(req, res);
        return redirect(res, "/ui");
      }
      const retry = /^\/ui\/jobs\/([A-Za-z0-9_-]{1,80})\/retry$/.exec(path);
      if (!retry) return send(res, 404, "text/plain", "not found");
      const ok = context.queue().retry(retry[1]!);
      context.logger.info("operator retried a job", { job: retry[1], ok });
      if (ok) hooks.kick();
      return redirect(res, `/ui?${ok ? "retried" : "not-retried"}=${encodeURIComponent(retry[1]!)}`);
    }
    if (path !== "/ui" || method !== "GET") return send(res, 404, "text/plain", "not found");
    const query = new URL(req.url ?? "/ui", "http://x").searchParams;
    const notice = query.get("retried")
      ? `Job ${query.get("retried")} is queued again.`
      : query.get("not-retried")
        ? `Job ${query.get("not-retried")} was not dead any more; nothing changed.`
        : null;
    return send(res, 200, "text/html", operatorPage(await gather(context, hooks, session.csrf, notice)));
  };
}

async function gather(
  context: Context,
  hooks: OperatorHooks,
  csrf: string,
  notice: string | null,
): Promise<OperatorView> {
  const store = context.store();
  const queue = context.queue();
  const runs = store
    .listRuns({ limit: RUNS_SHOWN })
    .map((r) => store.getRun(r.id))
    .filter((r) => r !== null);
  const dispatches = runs.flatMap((r) =>
    queue.dispatchesOf(r.id).map((d) => ({ ...d, issue: r.issue.shortId ?? r.issue.id })),
  );
  return {
    runs,
    jobs: queue.list({ limit: JOBS_SHOWN }),
    dispatches,
    queue: hooks.automation ? queue.depth() : null,
    analyses: { running: context.analyses.running, waiting: context.analyses.waiting },
    sessions: hooks.sessionCount(),
    csrf,
    notice,
  };
}

async function readForm(req: IncomingMessage, timeoutMs: number): Promise<URLSearchParams | null> {
  const read = await readBodyBytes(req, { maxBytes: FORM_MAX_BYTES, timeoutMs });
  return read.ok ? new URLSearchParams(read.body.toString("utf8")) : null;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    "content-type": `${type}; charset=utf-8`,
    "content-security-policy": OPERATOR_CSP,
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
  });
  res.end(body);
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(303, { location, "cache-control": "no-store" });
  res.end();
}
