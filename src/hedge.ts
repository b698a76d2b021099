/**
 * Hedged reads. Real upstreams have a slow tail: now and then one request hangs for seconds while the same
 * request sent again answers at once, and a tool call that waits for every read pays for its slowest one.
 * So a read that has not answered within the usual time gets a second copy, and whichever answers first
 * wins. The delay is the 95th percentile of the latencies seen, within a floor and a cap, so in steady state
 * only the slowest few reads in a hundred are sent twice. Only idempotent reads may be hedged: a write sent
 * twice may happen twice.
 */

export interface HedgeOptions {
  /** Never hedge sooner than this (ms), however fast the upstream usually is. */
  floorMs: number;
  /** Hedge by this time (ms) at the latest, however slow the upstream has been. */
  capMs: number;
}

export const DEFAULT_HEDGE: HedgeOptions = { floorMs: 1_500, capMs: 3_000 };

const SAMPLES = 64;
/** Below this many latencies seen, the floor is the delay: a cold server hedges early rather than late. */
const MIN_SAMPLES = 8;

export class Hedger {
  /** Second copies sent (the bench and tests read it). */
  hedges = 0;
  private readonly samples: number[] = [];
  private next = 0;

  constructor(
    private readonly options: HedgeOptions = DEFAULT_HEDGE,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** How long a read may go unanswered before it gets a second copy. */
  delayMs(): number {
    const { floorMs, capMs } = this.options;
    if (this.samples.length < MIN_SAMPLES) return floorMs;
    const sorted = [...this.samples].sort((a, b) => a - b);
    const p95 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))]!;
    return Math.min(capMs, Math.max(floorMs, p95));
  }

  /** A latency seen, in ms. */
  record(ms: number): void {
    if (this.samples.length < SAMPLES) this.samples.push(ms);
    else this.samples[this.next] = ms;
    this.next = (this.next + 1) % SAMPLES;
  }

  /**
   * Runs `attempt`; if it has not settled after `delayMs()` and `allowed()` (the rate-limit budget has
   * room), runs a second copy. The first copy to succeed wins and the other is aborted; the race fails, with
   * the first failure, only when every copy sent has failed. A failure before the hedge is due ends the race
   * at once (the caller's retries decide what to do). `signal` aborts every copy.
   */
  race<T>(
    attempt: (signal: AbortSignal) => Promise<T>,
    signal: AbortSignal | undefined,
    allowed: () => boolean,
    onHedge?: () => void,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const copies: AbortController[] = [];
      let pending = 0;
      let settled = false;
      let failed = false;
      let firstError: unknown;
      const settle = (done: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        for (const copy of copies) copy.abort(new Error("another copy of this request answered first"));
        done();
      };
      const launch = () => {
        const copy = new AbortController();
        copies.push(copy);
        pending++;
        const started = this.now();
        attempt(signal ? AbortSignal.any([signal, copy.signal]) : copy.signal).then(
          (value) => {
            if (settled) return;
            this.record(this.now() - started);
            settle(() => resolve(value));
          },
          (error: unknown) => {
            pending--;
            if (!failed) firstError = error;
            failed = true;
            // With no copy left in flight the race is lost; settling also cancels a hedge not yet sent.
            if (pending === 0) settle(() => reject(firstError));
          },
        );
      };
      const timer = setTimeout(() => {
        if (settled || signal?.aborted || !allowed()) return;
        this.hedges++;
        onHedge?.();
        launch();
      }, this.delayMs());
      launch();
    });
  }
}
