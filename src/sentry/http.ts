import type { Agent } from "undici";
import { abortableSleep } from "../clock.ts";
import { type DeadlineReached, deadlineReached } from "../deadline.ts";
import { AppError, duration } from "../errors.ts";
import { DEFAULT_HEDGE, type HedgeOptions, Hedger } from "../hedge.ts";
import { undici } from "../lazy.ts";
import type { Logger } from "../log.ts";
import { inAnalysis, RateBudget, SharedFlights, Slots } from "./concurrency.ts";
import {
  networkError,
  parseBody,
  readLimited,
  redactUrl,
  requireJson,
  type SentryResponse,
  statusError,
} from "./responses.ts";

/**
 * HTTP to Sentry: bearer auth, per-request timeout, hedged GETs (a second copy of a GET that is slower than
 * usual), retries with backoff on 5xx/timeouts/resets, waiting out 429s until `X-Sentry-Rate-Limit-Reset`,
 * pacing when the window is exhausted, a concurrency cap, a response size cap, the caller's deadline, and
 * errors typed by who can fix them. Raw bodies go to the log, never into error messages.
 */

export interface SentryHttpOptions {
  token: string | null;
  timeoutMs: number;
  maxRetries: number;
  logger: Logger;
  /** Longest we wait for a rate-limit window to reset before giving up (ms). */
  maxRateLimitWaitMs?: number;
  maxConcurrency?: number;
  maxResponseBytes?: number;
  userAgent?: string;
  /** When a GET that has not answered gets a second copy. */
  hedge?: HedgeOptions;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
}

interface RequestOptions {
  method?: "GET" | "POST" | "PUT" | "DELETE";
  body?: unknown;
  signal?: AbortSignal | undefined;
}

const RETRYABLE_STATUS = new Set([500, 502, 503, 504]);
const RETRYABLE_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

export class SentryHttp {
  /** Requests sent, retries and hedges included; the bench reads it. */
  requestCount = 0;
  private readonly opts: Required<Omit<SentryHttpOptions, "token">> & { token: string | null };
  private agentInstance: Agent | null = null;
  private readonly slots: Slots;
  private readonly flights = new SharedFlights<SentryResponse>();
  private readonly budget = new RateBudget();
  private readonly hedger: Hedger;
  private pausedUntil = 0;

  constructor(options: SentryHttpOptions) {
    this.opts = {
      maxRateLimitWaitMs: 15_000,
      maxConcurrency: 12,
      maxResponseBytes: 32 * 1024 * 1024,
      userAgent: "autofix-mcp",
      hedge: DEFAULT_HEDGE,
      sleep: abortableSleep,
      now: Date.now,
      ...options,
    };
    this.slots = new Slots(this.opts.maxConcurrency);
    this.hedger = new Hedger(this.opts.hedge);
  }

  /** Second copies sent for slow GETs; the bench reads it. */
  get hedgeCount(): number {
    return this.hedger.hedges;
  }

  /** Made on the first request, so that start-up does not load undici (src/lazy.ts). */
  private get agent(): Agent {
    const { Agent } = undici();
    // Twice the cap: a hedge does not wait for a slot (its first copy holds one), so up to one more each.
    this.agentInstance ??= new Agent({ keepAliveTimeout: 10_000, connections: this.opts.maxConcurrency * 2 });
    return this.agentInstance;
  }

  async close(): Promise<void> {
    await this.agentInstance?.close();
  }

  async request(url: string, options: RequestOptions = {}): Promise<SentryResponse> {
    try {
      if ((options.method ?? "GET") !== "GET") return await this.limited(url, options);
      // Identical GETs in flight at the same time share one upstream request: when many sessions look at
      // the same incident, Sentry sees each URL once.
      return await this.flights.join(url, options.signal, (signal) => this.limited(url, { signal }));
    } catch (error) {
      const reached = deadlineReached(options.signal);
      if (reached) throw this.deadlineError(url, reached);
      throw error;
    }
  }

  private limited(url: string, options: RequestOptions): Promise<SentryResponse> {
    return this.slots.run(options.signal, () => this.withRetries(url, options), inAnalysis());
  }

  /** A fetch for `@sentry/api`'s generated calls, so they share retries, limits and error typing. */
  readonly fetch = async (input: Request): Promise<Response> => {
    const body = input.method === "GET" || input.method === "HEAD" ? undefined : await input.text();
    const res = await this.request(input.url, {
      method: input.method as RequestOptions["method"],
      body: body ? JSON.parse(body) : undefined,
      signal: input.signal,
    });
    const headers = new Headers({ "content-type": "application/json" });
    for (const name of ["link", "x-hits", "x-max-hits"]) {
      const value = res.headers[name];
      if (value) headers.set(name, value);
    }
    return new Response(res.text === "" ? "null" : res.text, { status: res.status, headers });
  };

  private async withRetries(url: string, options: RequestOptions): Promise<SentryResponse> {
    const method = options.method ?? "GET";
    const idempotent = method === "GET";
    for (let attempt = 0; ; attempt++) {
      await this.waitForWindow(options.signal);
      let res: SentryResponse;
      try {
        res = idempotent ? await this.hedged(url, options) : await this.once(url, method, options);
      } catch (error) {
        if (options.signal?.aborted) throw error;
        const code = networkCode(error);
        if (
          idempotent &&
          attempt < this.opts.maxRetries &&
          (code === "TIMEOUT" || RETRYABLE_CODES.has(code))
        ) {
          this.opts.logger.warn("sentry request failed, retrying", { url: redactUrl(url), code, attempt });
          await this.opts.sleep(backoff(attempt), options.signal);
          continue;
        }
        throw this.networkError(url, code, error);
      }
      this.notePacing(res);
      if (res.status >= 200 && res.status < 300) {
        requireJson(res);
        return res;
      }
      if (res.status === 429) {
        const waitMs = this.rateLimitWait(res);
        if (attempt < this.opts.maxRetries && waitMs <= this.opts.maxRateLimitWaitMs) {
          this.opts.logger.warn("sentry rate limit hit, waiting for the window to reset", {
            url: redactUrl(url),
            waitMs,
          });
          await this.opts.sleep(waitMs, options.signal);
          continue;
        }
        throw this.statusError(url, res, Math.ceil(waitMs / 1000));
      }
      if (idempotent && RETRYABLE_STATUS.has(res.status) && attempt < this.opts.maxRetries) {
        this.opts.logger.warn("sentry server error, retrying", {
          url: redactUrl(url),
          status: res.status,
          attempt,
        });
        await this.opts.sleep(backoff(attempt), options.signal);
        continue;
      }
      throw this.statusError(url, res);
    }
  }

  /** A GET, and a second copy of it if the first is slower than usual; the first to answer is used. */
  private hedged(url: string, options: RequestOptions): Promise<SentryResponse> {
    return this.hedger.race(
      (signal) => this.once(url, "GET", { signal }),
      options.signal,
      () => this.budget.hasRoomForHedge(this.opts.now()),
      () => this.opts.logger.debug("sentry request slow, sending a second copy", { url: redactUrl(url) }),
    );
  }

  private async once(url: string, method: string, options: RequestOptions): Promise<SentryResponse> {
    this.requestCount++;
    this.budget.spend();
    const timeout = AbortSignal.timeout(this.opts.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const headers: Record<string, string> = {
      accept: "application/json",
      "user-agent": this.opts.userAgent,
    };
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(options.body);
    }
    try {
      const res = await undici().request(url, {
        method: method as "GET",
        headers,
        body,
        signal,
        dispatcher: this.agent,
      });
      const text = await readLimited(res.body, this.opts.maxResponseBytes);
      const flat: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) {
        if (v !== undefined) flat[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
      }
      return {
        status: res.statusCode,
        url,
        headers: flat,
        text,
        body: parseBody(text, flat["content-type"]),
      };
    } catch (error) {
      if (timeout.aborted && !options.signal?.aborted)
        throw Object.assign(new Error("timeout"), { code: "TIMEOUT" });
      throw error;
    }
  }

  private rateLimitWait(res: SentryResponse): number {
    const now = this.opts.now();
    const reset = Number(res.headers["x-sentry-rate-limit-reset"]);
    if (Number.isFinite(reset) && reset > 0) return Math.max(reset * 1000 - now, 250) + 50;
    const retryAfter = Number(res.headers["retry-after"]);
    if (Number.isFinite(retryAfter) && retryAfter >= 0) return retryAfter * 1000;
    return 1000;
  }

  /** When a window is used up, hold later requests until it resets instead of collecting 429s. */
  private notePacing(res: SentryResponse): void {
    this.budget.note(res.headers);
    const remaining = Number(res.headers["x-sentry-rate-limit-remaining"]);
    const reset = Number(res.headers["x-sentry-rate-limit-reset"]);
    if (
      res.headers["x-sentry-rate-limit-remaining"] !== undefined &&
      remaining <= 0 &&
      Number.isFinite(reset)
    ) {
      this.pausedUntil = Math.max(this.pausedUntil, reset * 1000);
    }
  }

  private async waitForWindow(signal?: AbortSignal): Promise<void> {
    const wait = this.pausedUntil - this.opts.now();
    if (wait > 0) await this.opts.sleep(Math.min(wait, this.opts.maxRateLimitWaitMs), signal);
  }

  private deadlineError(url: string, reached: DeadlineReached): AppError {
    this.opts.logger.warn("sentry request stopped at the call's deadline", { url: redactUrl(url) });
    const path = new URL(url).pathname;
    return new AppError(
      "upstream",
      `Sentry did not answer ${path} within this call's ${duration(reached.deadlineMs)} deadline.`,
      {
        service: "Sentry",
        hint: "Sentry is slow right now; call again in a minute (the operator can raise sentry.deadlineSeconds).",
        cause: reached,
      },
    );
  }

  private networkError(url: string, code: string, error: unknown): AppError {
    this.opts.logger.error("sentry request failed", { url: redactUrl(url), code, error });
    return networkError(url, code, this.opts.timeoutMs, error);
  }

  private statusError(url: string, res: SentryResponse, retryAfterSeconds?: number): AppError {
    // 404s are often expected (no regions on self-hosted, no suspect commits): keep them out of warnings.
    const level = res.status === 404 ? "debug" : "warn";
    this.opts.logger[level]("sentry request failed", {
      url: redactUrl(url),
      status: res.status,
      body: res.text.slice(0, 2000),
    });
    return statusError(res, retryAfterSeconds);
  }
}

function networkCode(error: unknown): string {
  const e = error as { code?: unknown; cause?: { code?: unknown }; name?: string };
  if (typeof e?.code === "string") return e.code;
  if (typeof e?.cause?.code === "string") return e.cause.code;
  if (e?.name === "TimeoutError") return "TIMEOUT";
  return "NETWORK";
}

function backoff(attempt: number): number {
  return Math.min(200 * 2 ** attempt, 3000) + Math.floor(Math.random() * 100);
}
