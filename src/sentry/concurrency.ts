import { AsyncLocalStorage } from "node:async_hooks";

/**
 * The ways the Sentry client shares upstream capacity between sessions: a FIFO cap on requests in flight,
 * one upstream request for identical GETs that overlap in time, and the rate-limit budget hedges spend.
 */

const analysisScope = new AsyncLocalStorage<true>();

/** Runs `work` as part of an analysis: its upstream requests yield their turn to cheap calls' requests. */
export function asAnalysis<T>(work: () => Promise<T>): Promise<T> {
  return analysisScope.run(true, work);
}

/** True inside `asAnalysis`. */
export function inAnalysis(): boolean {
  return analysisScope.getStore() === true;
}

/**
 * At most `max` holders at once; a released slot passes straight to the next waiter, in order — waiters that
 * are not `deferred` first, so a cheap call's requests do not queue behind an analysis's dozens.
 */
export class Slots {
  private active = 0;
  private readonly waiters: Array<() => void> = [];
  private readonly deferred: Array<() => void> = [];

  constructor(private readonly max: number) {}

  /** Holders now. */
  get running(): number {
    return this.active;
  }

  /** Callers waiting for a slot now. */
  get waiting(): number {
    return this.waiters.length + this.deferred.length;
  }

  async acquire(signal?: AbortSignal, deferred = false): Promise<void> {
    if (signal?.aborted) throw signal.reason ?? new Error("aborted");
    if (this.active < this.max && this.waiting === 0) {
      this.active++;
      return;
    }
    const line = deferred ? this.deferred : this.waiters;
    await new Promise<void>((resolve, reject) => {
      const wake = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      // A caller that gives up leaves the queue, so it never swallows a slot meant for someone waiting.
      const onAbort = () => {
        const i = line.indexOf(wake);
        if (i >= 0) line.splice(i, 1);
        reject(signal?.reason ?? new Error("aborted"));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      line.push(wake);
    });
  }

  release(): void {
    const next = this.waiters.shift() ?? this.deferred.shift();
    if (next) next();
    else this.active--;
  }

  async run<T>(signal: AbortSignal | undefined, work: () => Promise<T>, deferred = false): Promise<T> {
    await this.acquire(signal, deferred);
    try {
      return await work();
    } finally {
      this.release();
    }
  }
}

interface Flight<T> {
  promise: Promise<T>;
  controller: AbortController;
  waiters: number;
}

/**
 * Callers asking for the same key while a request for it is in flight share that request. The shared
 * request is cancelled only when every caller waiting for it has gone; a finished one is not kept.
 */
export class SharedFlights<T> {
  private readonly flights = new Map<string, Flight<T>>();

  join(key: string, signal: AbortSignal | undefined, start: (signal: AbortSignal) => Promise<T>): Promise<T> {
    // A caller already gone (its deadline passed) starts nothing, and leaves no flight to fail unheard.
    if (signal?.aborted) return Promise.reject(signal.reason ?? new Error("aborted"));
    let flight = this.flights.get(key);
    if (!flight) {
      const controller = new AbortController();
      const created: Flight<T> = {
        controller,
        waiters: 0,
        promise: start(controller.signal).finally(() => {
          if (this.flights.get(key) === created) this.flights.delete(key);
        }),
      };
      flight = created;
      this.flights.set(key, flight);
    }
    const f = flight;
    f.waiters++;
    if (!signal) return f.promise;
    const leave = () => {
      if (--f.waiters === 0) f.controller.abort(signal.reason);
    };
    if (signal.aborted) {
      leave();
      return Promise.reject(signal.reason ?? new Error("aborted"));
    }
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        leave();
        reject(signal.reason ?? new Error("aborted"));
      };
      signal.addEventListener("abort", onAbort, { once: true });
      f.promise.then(
        (value) => {
          signal.removeEventListener("abort", onAbort);
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener("abort", onAbort);
          reject(error);
        },
      );
    });
  }
}

/**
 * What Sentry's rate-limit headers last said, less the requests sent since. A hedge is one more request
 * against the same budget, so it is sent only while the window keeps a tenth of its requests (at least
 * two) and a concurrent slot spare; a hedge that tipped the token into 429s would cost more than it saves.
 */
export class RateBudget {
  private remaining: number | null = null;
  private limit: number | null = null;
  private concurrentRemaining: number | null = null;
  private resetAtMs = 0;

  /** A response's headers: the window's state as Sentry counted it. */
  note(headers: Record<string, string>): void {
    const number = (name: string) => {
      const value = headers[name];
      const n = value === undefined || value === "" ? Number.NaN : Number(value);
      return Number.isFinite(n) ? n : null;
    };
    const remaining = number("x-sentry-rate-limit-remaining");
    if (remaining === null) return;
    this.remaining = remaining;
    this.limit = number("x-sentry-rate-limit-limit");
    this.concurrentRemaining = number("x-sentry-rate-limit-concurrentremaining");
    this.resetAtMs = (number("x-sentry-rate-limit-reset") ?? 0) * 1000;
  }

  /** A request (first copy, retry or hedge) was sent. */
  spend(): void {
    if (this.remaining !== null) this.remaining--;
  }

  hasRoomForHedge(nowMs: number): boolean {
    if (this.remaining === null || nowMs >= this.resetAtMs) return true;
    const spare = Math.max(2, (this.limit ?? 0) / 10);
    return this.remaining > spare && (this.concurrentRemaining === null || this.concurrentRemaining > 1);
  }
}
