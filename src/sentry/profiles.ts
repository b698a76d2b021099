import { NotFoundError } from "../errors.ts";
import type { SentryClient } from "./client.ts";
import { arr, bool, int, isObj, type Json, num, obj, pick, str, text } from "./lenient.ts";
import { enc } from "./paths.ts";

/**
 * Profiles in their three shapes, normalized to weighted stacks (root → leaf):
 * - transaction profiles (v1 sample format, `/projects/{org}/{proj}/profiling/profiles/{id}/`);
 * - continuous profile chunks (v2, `/organizations/{org}/profiling/chunks/`, `{chunk}` or older `{chunks}`);
 * - the aggregated flamegraph (`/organizations/{org}/profiling/flamegraph/`).
 * In the sample format a stack lists frame indices leaf first (the SDKs walk outward from the executing
 * frame), so they are reversed here; flamegraph samples are already root first.
 */

export interface ProfileFrame {
  name: string;
  file: string | null;
  line: number | null;
  inApp: boolean;
}

export interface ProfileData {
  kind: "transaction" | "continuous" | "flamegraph";
  frames: ProfileFrame[];
  /** Frame indices root → leaf, with a weight in `unit`. */
  samples: Array<{ stack: number[]; weight: number }>;
  unit: "nanoseconds" | "count";
  transaction: string | null;
  platform: string | null;
  release: string | null;
  id: string | null;
}

export async function fetchTransactionProfile(
  sentry: SentryClient,
  org: string,
  project: string,
  profileId: string,
  signal?: AbortSignal,
): Promise<ProfileData> {
  try {
    const res = await sentry.getJson(
      org,
      `/projects/${enc(org)}/${enc(project)}/profiling/profiles/${enc(profileId)}/`,
      {},
      signal,
    );
    return normalizeSampleProfile(res.body, "transaction");
  } catch (error) {
    if (error instanceof NotFoundError) {
      throw new NotFoundError(`profile ${profileId} was not found in project "${project}".`, {
        service: "Sentry",
        hint: "Profiles expire sooner than errors; check the project, or read the transaction's flamegraph instead (get_profile with transaction).",
      });
    }
    throw error;
  }
}

export async function fetchProfileChunk(
  sentry: SentryClient,
  org: string,
  projectId: string,
  profilerId: string,
  window: { start: string; end: string },
  signal?: AbortSignal,
): Promise<ProfileData | null> {
  const res = await sentry.getJson(
    org,
    `/organizations/${enc(org)}/profiling/chunks/`,
    { project: projectId, profiler_id: profilerId, ...window },
    signal,
  );
  const body = obj(res.body);
  const chunks = isObj(body.chunk) ? [body.chunk] : arr(body.chunks).filter(isObj);
  if (chunks.length === 0) return null;
  const merged = chunks.map((c) => normalizeSampleProfile(c, "continuous"));
  const first = merged[0]!;
  // Several chunks: concatenate their samples, re-indexing frames.
  for (const extra of merged.slice(1)) {
    const offset = first.frames.length;
    first.frames.push(...extra.frames);
    for (const s of extra.samples)
      first.samples.push({ stack: s.stack.map((i) => i + offset), weight: s.weight });
  }
  return first;
}

export async function fetchFlamegraph(
  sentry: SentryClient,
  org: string,
  transaction: string,
  projectIds: string[],
  signal?: AbortSignal,
): Promise<ProfileData | null> {
  const res = await sentry.getJson(
    org,
    `/organizations/${enc(org)}/profiling/flamegraph/`,
    {
      project: projectIds.length > 0 ? projectIds : [-1],
      query: `event.type:transaction transaction:"${transaction.replace(/"/g, '\\"')}"`,
      statsPeriod: "14d",
    },
    signal,
  );
  const data = normalizeFlamegraph(res.body);
  return data.samples.length > 0 ? data : null;
}

export function normalizeSampleProfile(input: unknown, kind: ProfileData["kind"]): ProfileData {
  const p = obj(input);
  const profile = obj(p.profile);
  const frames = arr(profile.frames).map((f) => sampleFrame(obj(f)));
  const stacks = arr(profile.stacks).map((s) =>
    arr(s)
      .map((i) => int(i) ?? -1)
      .filter((i) => i >= 0 && i < frames.length),
  );
  const tx = obj(p.transaction);
  const activeThread = str(pick(tx, "active_thread_id", "activeThreadId"));
  const rows = arr(profile.samples)
    .filter(isObj)
    .map((s) => ({
      stack: int(s.stack_id),
      thread: str(s.thread_id),
      // v1 carries nanoseconds since start (often as a string); v2 carries epoch seconds.
      t: num(s.elapsed_since_start_ns) ?? (num(s.timestamp) !== null ? num(s.timestamp)! * 1e9 : null),
    }))
    .filter(
      (s) =>
        s.stack !== null && s.stack < stacks.length && (activeThread === null || s.thread === activeThread),
    );
  const samples: ProfileData["samples"] = [];
  const byThread = new Map<string, typeof rows>();
  for (const r of rows) {
    const list = byThread.get(r.thread ?? "") ?? [];
    list.push(r);
    byThread.set(r.thread ?? "", list);
  }
  for (const threadRows of byThread.values()) {
    threadRows.sort((a, b) => (a.t ?? 0) - (b.t ?? 0));
    const deltas = threadRows
      .slice(1)
      .map((r, i) => (r.t ?? 0) - (threadRows[i]!.t ?? 0))
      .filter((d) => d > 0);
    const typical =
      deltas.length > 0 ? deltas.sort((a, b) => a - b)[Math.floor(deltas.length / 2)]! : 10_000_000;
    threadRows.forEach((r, i) => {
      const next = threadRows[i + 1];
      const delta = next && next.t !== null && r.t !== null ? next.t - r.t : typical;
      // A gap far longer than the sampling interval is idle time, not time spent in this stack.
      samples.push({
        stack: [...stacks[r.stack!]!].reverse(),
        weight: Math.min(delta > 0 ? delta : typical, typical * 4),
      });
    });
  }
  const release = typeof p.release === "string" ? p.release : text(obj(p.release).version);
  return {
    kind,
    frames,
    samples,
    unit: "nanoseconds",
    transaction: text(tx.name),
    platform: text(p.platform),
    release,
    id: text(pick(p, "profile_id", "chunk_id", "event_id")),
  };
}

function sampleFrame(f: Json): ProfileFrame {
  const name =
    text(f.function) ??
    text(f.symbol) ??
    text(f.raw_function) ??
    (text(f.instruction_addr) ? `0x${String(f.instruction_addr).replace(/^0x/, "")}` : "<unknown>");
  return {
    name: text(f.class_name) && !name.includes(".") ? `${f.class_name}.${name}` : name,
    file: text(f.filename) ?? text(f.abs_path) ?? text(f.module) ?? text(f.package),
    line: int(f.lineno),
    inApp: bool(f.in_app) === true,
  };
}

export function normalizeFlamegraph(input: unknown): ProfileData {
  const g = obj(input);
  const shared = obj(g.shared);
  const frames = arr(shared.frames).map((f) => {
    const o = obj(f);
    return {
      name: text(o.name) ?? "<unknown>",
      file: text(o.file) ?? text(o.path) ?? text(o.image),
      line: int(o.line),
      inApp: bool(o.is_application) === true,
    };
  });
  const samples: ProfileData["samples"] = [];
  let unit: ProfileData["unit"] = "count";
  for (const profile of arr(g.profiles).filter(isObj)) {
    if (profile.unit === "nanoseconds") unit = "nanoseconds";
    const weights = arr(profile.weights);
    arr(profile.samples).forEach((s, i) => {
      const stack = arr(s)
        .map((x) => int(x) ?? -1)
        .filter((x) => x >= 0 && x < frames.length);
      samples.push({ stack, weight: num(weights[i]) ?? 1 });
    });
  }
  return {
    kind: "flamegraph",
    frames,
    samples,
    unit,
    transaction: text(g.transactionName),
    platform: text(g.platform),
    release: null,
    id: null,
  };
}
