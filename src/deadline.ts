import { duration } from "./errors.ts";

/**
 * A tool call's time budget. Agents give up on a tool long before a slow upstream does (many clients cancel
 * at 60 s, people at 10), so every upstream request of a call shares one deadline. Upstream work stops a
 * little before it — the reserve — so the tool still has time to answer with what has arrived, store a run
 * and say which sources are missing. A client that cancels the call stops the same work at once.
 */

/** The abort reason when a call's deadline stops its upstream requests. */
export class DeadlineReached extends Error {
  constructor(readonly deadlineMs: number) {
    super(`no answer within this call's ${duration(deadlineMs)} deadline`);
    this.name = "DeadlineReached";
  }
}

export interface Deadline {
  /** Aborts at the deadline (less the reserve), with a DeadlineReached reason, or when the client cancels. */
  signal: AbortSignal;
  /** The whole budget, as configured. */
  ms: number;
  /** Calls `fn` once the whole budget is spent (time on hold excluded). */
  whenOver(fn: () => void): void;
  /**
   * Stops the clock while the call waits on a person (a question to the user): their time is not an
   * upstream's. Returns the function that starts it again.
   */
  hold(): () => void;
  /** Stops the timer; call it once the tool has answered. */
  dispose(): void;
}

/** Each deadline's signal → the client's cancellation it follows (null: none). */
const cancellations = new WeakMap<AbortSignal, AbortSignal | null>();

export function startDeadline(ms: number, cancelled?: AbortSignal): Deadline {
  const controller = new AbortController();
  const over: Array<() => void> = [];
  let spent = 0;
  let since = Date.now();
  let timers: NodeJS.Timeout[] = [];
  const arm = () => {
    since = Date.now();
    const at = (due: number, fn: () => void) => {
      const timer = setTimeout(fn, Math.max(0, due - spent));
      // A waiting timer must not keep a finishing process alive.
      timer.unref?.();
      return timer;
    };
    timers = [
      at(ms - reserveMs(ms), () => controller.abort(new DeadlineReached(ms))),
      at(ms, () => {
        for (const fn of over.splice(0)) fn();
      }),
    ];
  };
  const disarm = () => {
    for (const t of timers) clearTimeout(t);
    timers = [];
    spent += Date.now() - since;
  };
  arm();
  const signal = cancelled ? AbortSignal.any([cancelled, controller.signal]) : controller.signal;
  cancellations.set(signal, cancelled ?? null);
  return {
    signal,
    ms,
    whenOver: (fn) => void over.push(fn),
    hold: () => {
      if (timers.length === 0 || controller.signal.aborted) return () => undefined;
      disarm();
      let resumed = false;
      return () => {
        if (resumed) return;
        resumed = true;
        arm();
      };
    },
    dispose: () => {
      disarm();
      over.length = 0;
    },
  };
}

/**
 * The client's cancellation inside a call's signal, without the deadline. Work on this machine (git in a
 * local checkout) is not an upstream that may hang: it goes on past the deadline, so what arrived from
 * Sentry can still be mapped to code, and stops only when the client cancels.
 */
export function cancellationOf(signal: AbortSignal | undefined): AbortSignal | undefined {
  if (!signal || !cancellations.has(signal)) return signal;
  return cancellations.get(signal) ?? undefined;
}

/** Time kept back to analyse, render and store what arrived: a tenth of the budget, 200 ms to 2 s. */
function reserveMs(ms: number): number {
  return Math.min(2_000, Math.max(200, ms / 10), ms / 2);
}

/** The DeadlineReached behind an aborted signal, if that is why it was aborted. */
export function deadlineReached(signal: AbortSignal | undefined): DeadlineReached | null {
  return signal?.aborted && signal.reason instanceof DeadlineReached ? signal.reason : null;
}
