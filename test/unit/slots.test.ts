import { describe, expect, it } from "vitest";
import { asAnalysis, inAnalysis, Slots } from "../../src/sentry/concurrency.ts";

describe("Slots", () => {
  it("hands a released slot to cheap waiters before deferred (analysis) ones, each line in order", async () => {
    const slots = new Slots(1);
    await slots.acquire();
    const order: string[] = [];
    const wait = (name: string, deferred: boolean) =>
      slots.acquire(undefined, deferred).then(() => {
        order.push(name);
        slots.release();
      });
    const all = [
      wait("analysis-1", true),
      wait("analysis-2", true),
      wait("cheap-1", false),
      wait("cheap-2", false),
    ];
    expect(slots.waiting).toBe(4);
    slots.release();
    await Promise.all(all);
    expect(order).toEqual(["cheap-1", "cheap-2", "analysis-1", "analysis-2"]);
    expect(slots.running).toBe(0);
  });

  it("lets a deferred waiter that gives up leave its line", async () => {
    const slots = new Slots(1);
    await slots.acquire();
    const controller = new AbortController();
    const gone = slots.acquire(controller.signal, true);
    controller.abort(new Error("deadline"));
    await expect(gone).rejects.toThrow("deadline");
    expect(slots.waiting).toBe(0);
    slots.release();
    expect(slots.running).toBe(0);
  });

  it("knows which work belongs to an analysis, across awaits", async () => {
    expect(inAnalysis()).toBe(false);
    const seen = await asAnalysis(async () => {
      await new Promise((r) => setTimeout(r, 1));
      return inAnalysis();
    });
    expect(seen).toBe(true);
    expect(inAnalysis()).toBe(false);
  });
});
