import { AppError, duration, NotFoundError } from "../errors.ts";

/**
 * Sentry's answers: the response as read, its body parsed (or kept as text when it is not JSON), and a
 * failure turned into an error that says who can fix it. Raw bodies go to the log, never into messages.
 */

export interface SentryResponse {
  status: number;
  url: string;
  headers: Record<string, string>;
  text: string;
  body: unknown;
}

export function parseBody(text: string, contentType: string | undefined): unknown {
  if (text === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    return new NonJsonBody(text, contentType ?? "unknown");
  }
}

/** A response body that was not JSON (an HTML error page from a proxy, say). */
class NonJsonBody {
  constructor(
    readonly text: string,
    readonly contentType: string,
  ) {}
}

/** Reject a non-JSON success body with an error the operator can act on. */
export function requireJson(res: SentryResponse): unknown {
  if (res.body instanceof NonJsonBody) {
    throw new AppError(
      "upstream",
      `Sentry answered ${new URL(res.url).pathname} with ${res.body.contentType}, not JSON.`,
      {
        service: "Sentry",
        detail: res.body.text.slice(0, 2000),
        hint: "SENTRY_HOST may point at a web page or proxy rather than the Sentry API; check it.",
      },
    );
  }
  return res.body;
}

function shortDetail(body: unknown): string | undefined {
  if (typeof body === "string") return body.slice(0, 300);
  if (body && typeof body === "object" && !(body instanceof NonJsonBody)) {
    const detail = (body as Record<string, unknown>).detail;
    if (typeof detail === "string") return detail.slice(0, 300);
    const first = Object.entries(body)[0];
    if (first) return `${first[0]}: ${JSON.stringify(first[1]).slice(0, 200)}`;
  }
  return undefined;
}

export async function readLimited(body: AsyncIterable<Buffer | Uint8Array>, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > max) {
      throw new AppError(
        "upstream",
        `Sentry's response exceeded ${Math.round(max / 1048576)} MB and was dropped.`,
        {
          service: "Sentry",
          hint: "Narrow the request (a smaller time window or limit).",
        },
      );
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** A request that got no answer: a timeout, or Sentry out of reach. */
export function networkError(url: string, code: string, timeoutMs: number, error: unknown): AppError {
  if (code === "TIMEOUT" || code.includes("TIMEOUT")) {
    return new AppError("upstream", `Sentry did not answer within ${duration(timeoutMs)}.`, {
      service: "Sentry",
      hint: "Sentry may be slow or overloaded; try again in a minute.",
      cause: error,
    });
  }
  return new AppError("upstream", `could not reach Sentry at ${new URL(url).origin} (${code}).`, {
    service: "Sentry",
    hint: "Check SENTRY_HOST and the network; retry once Sentry is reachable.",
    cause: error,
  });
}

/** A status Sentry answered with, as an error typed by who can fix it; the body goes to `detail` (the log). */
export function statusError(res: SentryResponse, retryAfterSeconds?: number): AppError {
  const detail = res.text.slice(0, 2000);
  const path = new URL(res.url).pathname;
  switch (res.status) {
    case 400:
      return new AppError(
        "input",
        `Sentry rejected the request (400): ${shortDetail(res.body) ?? "bad request"}.`,
        {
          status: 400,
          service: "Sentry",
          detail,
          hint: "Check the query syntax or parameters you passed.",
        },
      );
    case 401:
      return new AppError("config", "Sentry rejected the access token (401 Unauthorized).", {
        status: 401,
        service: "Sentry",
        detail,
        hint: "Set SENTRY_ACCESS_TOKEN to a valid token (User Auth Token or Org Auth Token with event:read, org:read, project:read).",
      });
    case 403:
      return new AppError("config", `the Sentry token may not read ${path} (403 Forbidden).`, {
        status: 403,
        service: "Sentry",
        detail,
        hint: "Give the token the event:read, org:read and project:read scopes, and membership of the project's team.",
      });
    case 404:
      return new NotFoundError(`Sentry has no resource at ${path}.`, { service: "Sentry", detail });
    case 429:
      return new AppError("upstream", "Sentry is rate-limiting this token (429).", {
        status: 429,
        service: "Sentry",
        detail,
        retryAfterSeconds,
        hint: `Wait ${retryAfterSeconds ?? 60} s before calling again, and prefer fewer, narrower calls.`,
      });
    default:
      return new AppError("upstream", `Sentry answered ${res.status} for ${path}.`, {
        status: res.status,
        service: "Sentry",
        detail,
        hint:
          res.status >= 500
            ? "Sentry is having trouble; try again shortly."
            : "This looks like an incompatibility with this Sentry version; the server log has the response.",
      });
  }
}

/** Query strings can carry cursors and search text; logs keep only the path. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return "(invalid url)";
  }
}
