import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DeadlineReached, startDeadline } from "../../src/deadline.ts";

// On fake timers (setTimeout and Date.now): the seconds of budget pass at once.
const sleep = (ms: number) => vi.advanceTimersByTimeAsync(ms);

describe("a call's deadline", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("aborts its signal and reports the budget spent", async () => {
    const deadline = startDeadline(300);
    let over = false;
    deadline.whenOver(() => {
      over = true;
    });
    await sleep(400);
    expect(deadline.signal.reason).toBeInstanceOf(DeadlineReached);
    expect(over).toBe(true);
    deadline.dispose();
  });

  it("stops the clock while on hold (a person answering a question), and goes on after", async () => {
    // 2 s budget: the signal aborts at 1.8 s of time not on hold, the budget is spent at 2 s.
    const deadline = startDeadline(2_000);
    let over = false;
    deadline.whenOver(() => {
      over = true;
    });
    await sleep(100);
    const resume = deadline.hold();
    await sleep(2_100);
    expect(deadline.signal.aborted).toBe(false);
    expect(over).toBe(false);
    resume();
    resume();
    await sleep(1_000);
    expect(deadline.signal.aborted).toBe(false);
    await sleep(1_200);
    expect(deadline.signal.aborted).toBe(true);
    expect(over).toBe(true);
    deadline.dispose();
  });

  it("dispose drops the callbacks", async () => {
    const deadline = startDeadline(100);
    let over = false;
    deadline.whenOver(() => {
      over = true;
    });
    deadline.dispose();
    await sleep(150);
    expect(over).toBe(false);
    expect(deadline.signal.aborted).toBe(false);
  });
});
