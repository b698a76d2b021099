import type { Json } from "./scenario.ts";
import type { Route, RouteRequest, RouteResult } from "./server.ts";
import { paginate } from "./store.ts";

/** Traces, Discover-style queries (logs, spans, errors), profiles, releases and suspect commits. */

const NOT_FOUND: RouteResult = { status: 404, body: { detail: "The requested resource does not exist" } };
const ok = (body: unknown, headers?: Record<string, string>): RouteResult => ({ status: 200, body, headers });

function orgScoped(handler: (req: RouteRequest) => RouteResult) {
  return (req: RouteRequest): RouteResult => (req.store.isOrg(req.params[0]!) ? handler(req) : NOT_FOUND);
}

function trace(req: RouteRequest) {
  return req.store.scenario.traces?.[req.params[1]!.toLowerCase()];
}

// ---- Discover-style /events/ ------------------------------------------------------------------------

interface Term {
  key: string | null;
  values: string[];
  negated: boolean;
}

/** Sentry search syntax, enough of it: `key:value`, `key:[a,b]`, `!key:value`, quoted values, free text. */
function parseQuery(query: string): Term[] {
  const terms: Term[] = [];
  const re = /(!?)([\w.[\],-]+):("(?:[^"\\]|\\.)*"|\[[^\]]*\]|\S+)|"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (const m of query.matchAll(re)) {
    if (m[2]) {
      const raw = m[3]!;
      const values = raw.startsWith("[")
        ? raw
            .slice(1, -1)
            .split(",")
            .map((v) => unquote(v.trim()))
        : [unquote(raw)];
      terms.push({ key: m[2], values, negated: m[1] === "!" });
    } else {
      terms.push({ key: null, values: [m[4] ?? m[5]!], negated: false });
    }
  }
  return terms;
}

function unquote(v: string): string {
  return v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1).replace(/\\"/g, '"') : v;
}

function matches(row: Json, terms: Term[], textField: string): boolean {
  return terms.every((t) => {
    if (t.key === null)
      return String(row[textField] ?? "")
        .toLowerCase()
        .includes(t.values[0]!.toLowerCase());
    const value = String(row[t.key] ?? "");
    const hit = t.values.some((v) =>
      v.includes("*")
        ? new RegExp(`^${v.split("*").map(escapeRegex).join(".*")}$`, "i").test(value)
        : value === v,
    );
    return t.negated ? !hit : hit;
  });
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function inWindow(row: Json, query: URLSearchParams): boolean {
  const t = Date.parse(String(row.timestamp ?? ""));
  if (Number.isNaN(t)) return true;
  const start = query.get("start");
  const end = query.get("end");
  if (start && t < Date.parse(start)) return false;
  if (end && t > Date.parse(end)) return false;
  const period = /^(\d+)([smhdw])$/.exec(query.get("statsPeriod") ?? "");
  if (period) {
    const unit = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[period[2] as "s"]!;
    if (t < Date.now() - Number(period[1]) * unit * 1000) return false;
  }
  return true;
}

function spanRows(req: RouteRequest): Json[] {
  const rows: Json[] = [];
  for (const [traceId, t] of Object.entries(req.store.scenario.traces ?? {})) {
    const stack = [...(t.nodes ?? [])] as Json[];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (n.event_type === "error" || n.event_type === "occurrence") continue;
      rows.push({
        id: n.span_id ?? n.event_id,
        "span.op": n.op,
        "span.description": n.description,
        "span.duration": n.duration,
        transaction: n.transaction,
        timestamp:
          typeof n.start_timestamp === "number" ? new Date(n.start_timestamp * 1000).toISOString() : null,
        is_transaction: n.is_transaction,
        project: n.project_slug,
        trace: traceId,
        "transaction.span_id": n.span_id,
      });
      for (const c of (n.children as Json[] | undefined) ?? []) stack.push(c);
    }
  }
  return rows;
}

function discover(req: RouteRequest): RouteResult {
  const dataset = req.query.get("dataset");
  const fields = req.query.getAll("field");
  if (!dataset) return { status: 400, body: { detail: "dataset is required" } };
  if (fields.length === 0) return { status: 400, body: { detail: "No columns selected" } };
  const sort = req.query.get("sort");
  if (sort && !fields.includes(sort.replace(/^-/, "")))
    return { status: 400, body: { detail: `Cannot sort by a field that is not selected: ${sort}` } };
  const logsName = req.store.scenario.sentryVersion?.logsDataset ?? "logs";
  let rows: Json[];
  if (dataset === "logs" || dataset === "ourlogs") {
    if (dataset !== logsName && !(logsName === "logs" && dataset === "ourlogs")) {
      return { status: 400, body: { detail: `dataset: Invalid dataset ${dataset}` } };
    }
    rows = req.store.scenario.logs ?? [];
  } else if (dataset === "spans") rows = spanRows(req);
  else if (dataset === "errors")
    rows = req.store.scenario.issues.flatMap((i) =>
      i.events.map((e) => ({
        ...e,
        "issue.id": Number(i.issue.id),
        trace: (e.contexts as Json | undefined)?.trace ? ((e.contexts as Json).trace as Json).trace_id : null,
      })),
    );
  else return { status: 400, body: { detail: `dataset: Invalid dataset ${dataset}` } };
  const terms = parseQuery(req.query.get("query") ?? "");
  let selected = rows.filter(
    (r) => matches(r, terms, dataset === "spans" ? "span.description" : "message") && inWindow(r, req.query),
  );
  if (sort && sort.replace(/^-/, "") !== "count()") {
    const key = sort.replace(/^-/, "");
    const dir = sort.startsWith("-") ? -1 : 1;
    selected = [...selected].sort((a, b) =>
      String(a[key] ?? "") < String(b[key] ?? "")
        ? -dir
        : String(a[key] ?? "") > String(b[key] ?? "")
          ? dir
          : 0,
    );
  }
  const projected = fields.includes("count()")
    ? aggregate(selected, fields, sort)
    : selected.map((r) => Object.fromEntries(fields.map((f) => [f, r[f] ?? null])));
  const page = paginate(projected, req.query, `${req.base}/api/0/organizations/${req.params[0]}/events/`, 50);
  return ok(
    {
      data: page.body,
      meta: {
        fields: Object.fromEntries(
          fields.map((f) => [f, f === "timestamp" ? "date" : f.endsWith("duration") ? "duration" : "string"]),
        ),
        units: Object.fromEntries(fields.map((f) => [f, f.endsWith("duration") ? "millisecond" : null])),
        dataset,
        datasetReason: "unchanged",
        isMetricsData: false,
        isMetricsExtractedData: false,
        tips: {},
      },
    },
    page.headers,
  );
}

/** `count()` grouped by the other selected fields, as Discover does for aggregate queries. */
function aggregate(rows: Json[], fields: string[], sort: string | null): Json[] {
  const keys = fields.filter((f) => f !== "count()");
  const groups = new Map<string, Json>();
  for (const r of rows) {
    const id = JSON.stringify(keys.map((k) => r[k] ?? null));
    const g = groups.get(id) ?? { ...Object.fromEntries(keys.map((k) => [k, r[k] ?? null])), "count()": 0 };
    g["count()"] = (g["count()"] as number) + 1;
    groups.set(id, g);
  }
  const out = [...groups.values()];
  if (sort === "-count()") out.sort((a, b) => (b["count()"] as number) - (a["count()"] as number));
  return out;
}

// ---- profiling ------------------------------------------------------------------------------------

const EMPTY_FLAMEGRAPH = {
  activeProfileIndex: 0,
  platform: "",
  projectID: 0,
  transactionName: "",
  profiles: [],
  shared: { frames: [], frame_infos: [], profiles: [] },
};

function flamegraph(req: RouteRequest): RouteResult {
  const query = req.query.get("query") ?? "";
  const name = /transaction:"((?:[^"\\]|\\.)*)"/.exec(query)?.[1] ?? /transaction:(\S+)/.exec(query)?.[1];
  const found = name ? req.store.scenario.flamegraphs?.[name.replace(/\\"/g, '"')] : undefined;
  return ok(found ?? EMPTY_FLAMEGRAPH);
}

// ---- routes ---------------------------------------------------------------------------------------

export const contextRoutes: Route[] = [
  [
    "GET",
    /^\/organizations\/([^/]+)\/trace-meta\/([^/]+)\/$/,
    orgScoped((req) => {
      const t = trace(req);
      return t?.meta
        ? ok(t.meta)
        : t
          ? ok({ errorsCount: 0, performanceIssuesCount: 0, spansCount: 0, logsCount: 0 })
          : NOT_FOUND;
    }),
  ],
  [
    "GET",
    /^\/organizations\/([^/]+)\/trace\/([^/]+)\/$/,
    orgScoped((req) => {
      if (req.store.scenario.sentryVersion?.traceEndpoint === "legacy-only") return NOT_FOUND;
      const t = trace(req);
      // Sentry answers an unknown trace with an empty list, not a 404.
      return ok(t?.nodes ?? []);
    }),
  ],
  [
    "GET",
    /^\/organizations\/([^/]+)\/events-trace\/([^/]+)\/$/,
    orgScoped((req) => {
      const t = trace(req);
      return t?.legacy ? ok(t.legacy) : ok({ transactions: [], orphan_errors: [] });
    }),
  ],
  ["GET", /^\/organizations\/([^/]+)\/events\/$/, orgScoped(discover)],
  [
    "GET",
    /^\/projects\/([^/]+)\/([^/]+)\/profiling\/profiles\/([^/]+)\/$/,
    (req) => {
      if (!req.store.isOrg(req.params[0]!)) return NOT_FOUND;
      const p = req.store.scenario.profiles?.[req.params[2]!];
      return p ? ok(p) : NOT_FOUND;
    },
  ],
  [
    "GET",
    /^\/organizations\/([^/]+)\/profiling\/chunks\/$/,
    orgScoped((req) => {
      const profiler = req.query.get("profiler_id");
      if (!profiler || !req.query.get("project"))
        return { status: 400, body: { detail: "project and profiler_id are required" } };
      const body = req.store.scenario.profileChunks?.[profiler];
      return body ? ok(body) : ok({ chunk: null });
    }),
  ],
  ["GET", /^\/organizations\/([^/]+)\/profiling\/flamegraph\/$/, orgScoped(flamegraph)],
  [
    "GET",
    /^\/(?:organizations|projects\/[^/]+)\/([^/]+)\/releases\/([^/]+)\/$/,
    (req) => {
      const release = req.store.scenario.releases?.[req.params[1]!];
      return release ? ok(release) : NOT_FOUND;
    },
  ],
  [
    "GET",
    /^\/organizations\/([^/]+)\/releases\/([^/]+)\/commits\/$/,
    orgScoped((req) => {
      const commits = req.store.scenario.releaseCommits?.[req.params[1]!];
      if (!commits) return NOT_FOUND;
      const page = paginate(
        commits,
        req.query,
        `${req.base}/api/0/organizations/${req.params[0]}/releases/${encodeURIComponent(req.params[1]!)}/commits/`,
      );
      return ok(page.body, page.headers);
    }),
  ],
  [
    "GET",
    /^\/projects\/([^/]+)\/([^/]+)\/events\/([^/]+)\/committers\/$/,
    (req) => {
      if (!req.store.isOrg(req.params[0]!)) return NOT_FOUND;
      const committers = req.store.scenario.committers?.[req.params[2]!];
      return committers ? ok(committers) : { status: 404, body: { detail: "No Commits found for Release" } };
    },
  ],
];
