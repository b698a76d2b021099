import { abortableSleep } from "../clock.ts";
import { AppError, duration } from "../errors.ts";
import { undici } from "../lazy.ts";

/**
 * JSON over HTTP for the coding-agent APIs: a 15 s timeout, a response cap, and errors typed by who can fix
 * them. Only GETs retry here (once, on a 5xx or a network error). A POST that failed may still have started
 * an agent upstream, so it is never resent blindly: `findOrCreate` looks again first and adopts what it finds.
 */
interface JsonResult {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

interface JsonRequestOptions {
  headers?: Record<string, string>;
  /** Serialized as JSON. */
  body?: unknown;
  /** Sent as is (a body that was signed byte for byte). */
  rawBody?: string;
  signal?: AbortSignal | undefined;
  timeoutMs?: number;
  maxBytes?: number;
}

type Method = "GET" | "POST" | "PATCH";

const TIMEOUT_MS = 15_000;
const MAX_BYTES = 4 * 1024 * 1024;
const RETRY_DELAY_MS = 200;

/** Errors worth one more try (5xx, network, timeout); 4xx and oversized answers are not. */
const retryable = new WeakSet<object>();
const isRetryable = (error: unknown): boolean =>
  typeof error === "object" && error !== null && retryable.has(error);

export async function jsonRequest(
  service: string,
  method: Method,
  url: string,
  options: JsonRequestOptions = {},
): Promise<JsonResult> {
  for (let attempt = 0; ; attempt++) {
    const again = method === "GET" && attempt === 0;
    try {
      const res = await once(service, method, url, options);
      if (res.status >= 500 && again) {
        await abortableSleep(RETRY_DELAY_MS, options.signal);
        continue;
      }
      return res;
    } catch (error) {
      if (options.signal?.aborted || !isRetryable(error) || !again) throw error;
      await abortableSleep(RETRY_DELAY_MS, options.signal);
    }
  }
}

async function once(
  service: string,
  method: Method,
  url: string,
  options: JsonRequestOptions,
): Promise<JsonResult> {
  const timeoutMs = options.timeoutMs ?? TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  let res: Awaited<ReturnType<ReturnType<typeof undici>["request"]>>;
  let text: string;
  try {
    res = await undici().request(url, {
      method,
      headers: {
        accept: "application/json",
        "user-agent": "autofix-mcp",
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...options.headers,
      },
      body,
      signal,
    });
    text = await readCapped(res.body, options.maxBytes ?? MAX_BYTES, service);
  } catch (error) {
    if (error instanceof AppError || options.signal?.aborted) throw error;
    const timedOut = timeout.aborted;
    const code = (error as { code?: string }).code ?? (error as Error).message;
    const wrapped = new AppError(
      "upstream",
      timedOut
        ? `${service} did not answer within ${duration(timeoutMs)}.`
        : `could not reach ${service} at ${safeOrigin(url)} (${code}).`,
      {
        service,
        hint: `Check the ${service} API URL and the network; retrying later may help.`,
        cause: error,
      },
    );
    retryable.add(wrapped);
    throw wrapped;
  }
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // Kept as text: error pages from proxies are often HTML.
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers))
    if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
  return { status: res.statusCode, body: parsed, headers };
}

async function readCapped(body: AsyncIterable<Buffer>, max: number, service: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > max)
      throw new AppError("upstream", `${service}'s answer exceeded ${Math.round(max / 1024)} KB.`, {
        service,
        hint: "Check that the API URL points at the agent's API, not a web page or proxy.",
      });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Look for what an earlier attempt created; create only when nothing is found. If the create fails in a way
 * that may have reached upstream (5xx, network, timeout), look once more before creating again.
 */
export async function findOrCreate<T>(
  lookup: () => Promise<T | null>,
  create: () => Promise<T>,
  signal?: AbortSignal,
): Promise<{ value: T; adopted: boolean }> {
  for (let attempt = 0; ; attempt++) {
    const found = await lookup();
    if (found !== null) return { value: found, adopted: true };
    try {
      return { value: await create(), adopted: false };
    } catch (error) {
      if (attempt > 0 || signal?.aborted || !isRetryable(error)) throw error;
      await abortableSleep(RETRY_DELAY_MS, signal);
    }
  }
}

/** A service-specific reading of an error answer, tried before the generic mapping. */
export interface ErrorRule {
  status?: number | number[];
  /** Tested against the answer's `message`/`error`/`detail` text. */
  match?: RegExp;
  kind: "config" | "upstream";
  message: string;
  hint: string;
}

/** Maps a non-2xx answer to an error that says who must act; the raw body goes to `detail` only. */
export function apiError(service: string, res: JsonResult, what: string, rules: ErrorRule[] = []): AppError {
  const detail = (typeof res.body === "string" ? res.body : JSON.stringify(res.body)).slice(0, 2000);
  const said = upstreamMessage(res.body);
  const base = { service, status: res.status, detail };
  const retryAfterSeconds = retryAfter(res);
  // GitHub reports an exhausted rate limit as a 403 with `x-ratelimit-remaining: 0`.
  const limited = res.status === 429 || (res.status === 403 && res.headers["x-ratelimit-remaining"] === "0");
  for (const rule of limited ? [] : rules) {
    const statuses = rule.status === undefined ? null : [rule.status].flat();
    if (statuses && !statuses.includes(res.status)) continue;
    if (rule.match && !rule.match.test(said)) continue;
    return mark(new AppError(rule.kind, rule.message, { ...base, hint: rule.hint, retryAfterSeconds }));
  }
  if (limited)
    return new AppError("upstream", `${service} is rate-limiting us (${res.status}) when asked to ${what}.`, {
      ...base,
      retryAfterSeconds,
      hint: `Retry after ${retryAfterSeconds ?? 60} s; the job retries by itself.`,
    });
  if (res.status >= 500)
    return mark(
      new AppError("upstream", `${service} answered ${res.status} when asked to ${what}.`, {
        ...base,
        hint: `${service} is having trouble; retrying later may help.`,
      }),
    );
  if (res.status === 401)
    return new AppError("config", `${service} rejected the credentials (401) when asked to ${what}.`, {
      ...base,
      hint: "Check the token the target's tokenEnv names.",
    });
  if (res.status >= 200 && res.status < 300)
    return new AppError("upstream", `${service} gave an answer we could not read when asked to ${what}.`, {
      ...base,
      hint: "The API may have changed; the server log has the response.",
    });
  return new AppError("config", `${service} refused to ${what} (${res.status}).`, {
    ...base,
    hint: "Check the target's settings (API URL, repository, model); the server log has the response.",
  });
}

const mark = (error: AppError): AppError => {
  if (error.kind === "upstream" && (error.status ?? 500) >= 500) retryable.add(error);
  return error;
};

function upstreamMessage(body: unknown): string {
  if (typeof body === "string") return body.slice(0, 500);
  if (typeof body !== "object" || body === null) return "";
  const b = body as Record<string, unknown>;
  const pick = b.message ?? b.error ?? b.detail;
  if (typeof pick === "string") return pick;
  if (typeof pick === "object" && pick !== null) return upstreamMessage(pick);
  return "";
}

function retryAfter(res: JsonResult): number | undefined {
  const seconds = Number(res.headers["retry-after"]);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const reset = Number(res.headers["x-ratelimit-reset"]);
  if (res.headers["x-ratelimit-remaining"] === "0" && Number.isFinite(reset))
    return Math.max(0, Math.ceil(reset - Date.now() / 1000));
  return undefined;
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "(invalid url)";
  }
}

export const ok = (res: JsonResult) => res.status >= 200 && res.status < 300;

/** `https://api.github.com` + `owner/name` → `…/repos/owner/name` with each part encoded. */
export const repoPath = (repository: string) => repository.split("/").map(encodeURIComponent).join("/");

/** The first value of a header from Node's incoming headers, looked up case-insensitively. */
export function headerValue(headers: Record<string, string | string[] | undefined>, name: string) {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers))
    if (key.toLowerCase() === wanted) return (Array.isArray(value) ? value[0] : value) ?? null;
  return null;
}

/** The headers of a GitHub REST call with a token (the Copilot and Claude Code Action targets). */
export function githubHeaders(token: string): Record<string, string> {
  return {
    authorization: `Bearer ${token}`,
    accept: "application/vnd.github+json",
    "x-github-api-version": "2022-11-28",
  };
}
