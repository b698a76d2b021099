import { request } from "undici";
import { AppError } from "../errors.ts";

/**
 * JSON over HTTP for the coding-agent APIs, with a timeout, a response cap, and errors typed by who can fix
 * them. GETs retry once on a 5xx or a network error; POSTs never retry here — a POST that may have
 * succeeded is made safe by the dispatcher's lookup-before-create instead.
 */
export interface JsonResult {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

const MAX_BYTES = 8 * 1024 * 1024;

export async function jsonRequest(
  service: string,
  method: "GET" | "POST" | "PATCH",
  url: string,
  options: {
    headers?: Record<string, string>;
    body?: unknown;
    rawBody?: string;
    signal?: AbortSignal | undefined;
    timeoutMs?: number;
  } = {},
): Promise<JsonResult> {
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await once(method, url, options);
      if (res.status >= 500 && method === "GET" && attempt === 0) continue;
      return res;
    } catch (error) {
      if (options.signal?.aborted) throw error;
      if (method === "GET" && attempt === 0) continue;
      throw new AppError(
        "upstream",
        `could not reach ${service} (${(error as { code?: string }).code ?? (error as Error).message}).`,
        {
          service,
          hint: `Check the ${service} API URL and the network; the job will retry.`,
          cause: error,
        },
      );
    }
  }
}

async function once(
  method: string,
  url: string,
  options: {
    headers?: Record<string, string>;
    body?: unknown;
    rawBody?: string;
    signal?: AbortSignal | undefined;
    timeoutMs?: number;
  },
): Promise<JsonResult> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 15_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const res = await request(url, {
    method: method as "GET",
    headers: {
      accept: "application/json",
      "user-agent": "autofix-mcp",
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
      ...options.headers,
    },
    body,
    signal,
  });
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of res.body) {
    size += chunk.length;
    if (size > MAX_BYTES) throw new Error("response too large");
    chunks.push(Buffer.from(chunk));
  }
  const text = Buffer.concat(chunks).toString("utf8");
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // Kept as text: error pages are often HTML.
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers))
    if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
  return { status: res.statusCode, body: parsed, headers };
}

/** Maps a non-2xx answer to an error that says who must act. `notes` adds service-specific explanations. */
export function apiError(
  service: string,
  res: JsonResult,
  what: string,
  notes: Array<[RegExp | number, string, "config" | "upstream"]> = [],
): AppError {
  const detail =
    typeof res.body === "string" ? res.body.slice(0, 2000) : JSON.stringify(res.body).slice(0, 2000);
  const message =
    typeof res.body === "object" && res.body !== null
      ? String(
          (res.body as { message?: unknown; error?: unknown }).message ??
            (res.body as { error?: unknown }).error ??
            "",
        )
      : "";
  for (const [match, text, kind] of notes) {
    if (
      (typeof match === "number" && match === res.status) ||
      (match instanceof RegExp && match.test(message))
    ) {
      return new AppError(kind, `${service} refused to ${what}: ${text}`, {
        service,
        status: res.status,
        detail,
      });
    }
  }
  if (res.status === 401)
    return new AppError("config", `${service} rejected the credentials (401) when asked to ${what}.`, {
      service,
      status: 401,
      detail,
      hint: `Check the token the ${service} target's tokenEnv names.`,
    });
  if (res.status === 403)
    return new AppError("config", `${service} denied permission (403) to ${what}.`, {
      service,
      status: 403,
      detail,
      hint: "Give the token the permissions the README lists for this target.",
    });
  if (res.status === 404)
    return new AppError("config", `${service} answered 404 when asked to ${what}.`, {
      service,
      status: 404,
      detail,
      hint: "Check the repository name and that the agent or app is enabled for it.",
    });
  return new AppError("upstream", `${service} answered ${res.status} when asked to ${what}.`, {
    service,
    status: res.status,
    detail,
    hint:
      res.status === 429 || res.status >= 500
        ? "Retrying later may help; the job will retry."
        : "The server log has the response.",
  });
}

export const ok = (res: JsonResult) => res.status >= 200 && res.status < 300;
