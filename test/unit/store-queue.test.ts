import { afterEach, describe, expect, it } from "vitest";
import type { NewDelivery } from "../../src/store/queue-types.ts";
import { backends, type OpenedStores } from "../helpers/stores.ts";

/** The job queue's contract, on SQLite and on PostgreSQL. */

const NOW = Date.parse("2026-11-28T12:00:00Z");
const opened: OpenedStores[] = [];
afterEach(async () => {
  for (const o of opened.splice(0)) await o.close();
});

const delivery = (requestId: string, issueId = "42", bodyDigest: string | null = null): NewDelivery => ({
  requestId,
  resource: "issue",
  action: "created",
  org: "acme",
  issueId,
  shortId: null,
  bodyDigest,
});

describe.each(backends)("job queue on $name", (backend) => {
  const setup = async () => {
    let now = NOW;
    const db = await backend.create();
    const clock = () => now;
    const first = db.open(clock, "replica-a");
    opened.push(first);
    return {
      ...first,
      /** Another replica on the same database (SQLite: the same process's queue again). */
      other: () => {
        const o = db.open(clock, "replica-b");
        opened.push(o);
        return o;
      },
      tick: (ms: number) => (now += ms),
    };
  };

  it("dedupes redeliveries by Request-ID, replays by body, and repeat alerts by issue", async () => {
    const { queue } = await setup();
    const first = queue.enqueue(delivery("r1", "42", "digest-1"));
    expect(first.kind).toBe("queued");
    expect(queue.enqueue(delivery("r1")).kind).toBe("duplicate_delivery");
    expect(queue.enqueue(delivery("r9", "42", "digest-1")).kind).toBe("duplicate_delivery");
    expect(queue.enqueue(delivery("r2"))).toEqual({
      kind: "duplicate_issue",
      jobId: (first as { jobId: string }).jobId,
    });
    expect(queue.enqueue(delivery("r3", "43")).kind).toBe("queued");
    expect(queue.depth().queued).toBe(2);
  });

  it("takes the same issue again after 24 hours, or once its job is dead", async () => {
    const { queue, tick } = await setup();
    const first = queue.enqueue(delivery("r1")) as { jobId: string };
    tick(23 * 3600_000);
    expect(queue.enqueue(delivery("r2")).kind).toBe("duplicate_issue");
    tick(2 * 3600_000);
    expect(queue.enqueue(delivery("r3")).kind).toBe("queued");
    const other = queue.enqueue(delivery("r4", "77")) as { jobId: string };
    while (queue.claim("w", 60_000)) {
      // claim every ready job, this issue's among them
    }
    expect(queue.fail(other.jobId, "w", "boom", 1)).toBe("dead");
    expect(queue.enqueue(delivery("r5", "77")).kind).toBe("queued");
    expect(first.jobId).not.toBe(other.jobId);
  });

  it("leases jobs, fences writes by the owner, and reclaims an expired lease", async () => {
    const { queue, tick } = await setup();
    queue.enqueue(delivery("r1"));
    const job = queue.claim("w1", 1000)!;
    expect(job.state).toBe("running");
    expect(queue.claim("w2", 1000)).toBeNull();
    tick(1500);
    const stolen = queue.claim("w2", 1000)!;
    expect(stolen.id).toBe(job.id);
    expect(stolen.attempts).toBe(2);
    expect(queue.heartbeat(job.id, "w1", 1000)).toBe(false);
    expect(queue.advance(job.id, "w1", "root_cause")).toBe(false);
    expect(queue.advance(job.id, "w2", "root_cause", "run_1")).toBe(true);
    expect(queue.finish(job.id, "w1", "done", "late")).toBe(false);
    expect(queue.finish(job.id, "w2", "done", "ok")).toBe(true);
    expect(queue.get(job.id)).toMatchObject({ state: "done", step: "done", reason: "ok", runId: "run_1" });
  });

  it("puts a job back to wait without counting an attempt, and wakes it", async () => {
    const { queue, tick } = await setup();
    const { jobId } = queue.enqueue(delivery("r1")) as { jobId: string };
    queue.claim("w", 60_000);
    expect(queue.later(jobId, "w", 30_000, "tracking")).toBe(true);
    expect(queue.get(jobId)).toMatchObject({ state: "queued", attempts: 0, reason: "tracking" });
    expect(queue.claim("w", 60_000)).toBeNull();
    expect(queue.wake(jobId)).toBe(true);
    expect(queue.claim("w", 60_000)?.id).toBe(jobId);
    tick(1);
  });

  it("releases the lease of a worker known to be gone, so its job resumes at once", async () => {
    const { queue } = await setup();
    queue.enqueue(delivery("r1"));
    queue.enqueue(delivery("r2", "43"));
    const dead = queue.claim("worker_dead", 60_000)!;
    queue.claim("worker_alive", 60_000);
    expect(queue.claim("w2", 60_000)).toBeNull();
    expect(queue.releaseLeases((owner) => owner === "worker_dead")).toBe(1);
    expect(queue.claim("w2", 60_000)?.id).toBe(dead.id);
    expect(queue.claim("w3", 60_000)).toBeNull();
  });

  it("retries with backoff, then dead-letters", async () => {
    const { queue, tick } = await setup();
    const { jobId } = queue.enqueue(delivery("r1")) as { jobId: string };
    for (let attempt = 1; attempt <= 3; attempt++) {
      const job = queue.claim("w", 60_000);
      expect(job?.attempts).toBe(attempt);
      expect(queue.fail(jobId, "w", `boom ${attempt}`, 3)).toBe(attempt < 3 ? "queued" : "dead");
      expect(queue.claim("w", 60_000)).toBeNull();
      if (attempt < 3)
        expect(Date.parse(queue.get(jobId)!.nextAt) - NOW - (attempt - 1) * 10 * 60_000).toBe(
          5_000 * 2 ** (attempt - 1),
        );
      tick(10 * 60_000);
    }
    expect(queue.get(jobId)).toMatchObject({ state: "dead", lastError: "boom 3" });
    expect(queue.fail(jobId, "w", "again", 3)).toBeNull();
  });

  it("retries a dead job on the operator's word: queued and due now, attempts reset, at the step it died in", async () => {
    const { queue } = await setup();
    const { jobId } = queue.enqueue(delivery("r1")) as { jobId: string };
    expect(queue.retry(jobId)).toBe(false);
    queue.claim("w", 60_000);
    queue.advance(jobId, "w", "dispatch");
    expect(queue.fail(jobId, "w", "boom", 1)).toBe("dead");
    expect(queue.retry(jobId)).toBe(true);
    expect(queue.get(jobId)).toMatchObject({
      state: "queued",
      step: "dispatch",
      attempts: 0,
      leaseOwner: null,
    });
    expect(queue.retry(jobId)).toBe(false);
    expect(queue.claim("w2", 60_000)?.id).toBe(jobId);
  });

  it("records a dispatch once, before the upstream call, and keeps a final status", async () => {
    const { queue } = await setup();
    const d = {
      id: "run_1:cursor:acme/api",
      runId: "run_1",
      jobId: null,
      org: "acme",
      target: "cursor",
      type: "cursor",
      repository: "acme/api",
    };
    const seen: string[] = [];
    queue.changed = (runId) => seen.push(runId);
    const begun = queue.beginDispatch(d);
    expect(begun.status).toBe("sending");
    expect(begun.callbackToken).toMatch(/^[\w-]{32}$/);
    queue.updateDispatch(d.id, { externalId: "bc_1", status: "running" });
    expect(queue.beginDispatch(d)).toMatchObject({ externalId: "bc_1", status: "running" });
    expect(queue.dispatchByExternal("cursor", "bc_1")?.id).toBe(d.id);
    queue.updateDispatch(d.id, { status: "completed", prUrl: "https://github.com/acme/api/pull/1" });
    queue.updateDispatch(d.id, { status: "running" });
    expect(queue.dispatch(d.id)).toMatchObject({ status: "completed", callbackToken: begun.callbackToken });
    expect(queue.recentDispatches("acme")).toBe(1);
    expect(queue.dispatchesOf("run_1")).toHaveLength(1);
    expect(seen.length).toBeGreaterThanOrEqual(4);
  });

  it("keeps one dispatch per (run, repository): finding the first after a crash leaves the second to send", async () => {
    const { queue, tick } = await setup();
    const part = (repository: string) => ({
      id: `run_1:hook:${repository}`,
      runId: "run_1",
      jobId: null,
      org: "acme",
      target: "hook",
      type: "webhook",
      repository,
    });
    queue.beginDispatch(part("acme/api"));
    queue.updateDispatch("run_1:hook:acme/api", { externalId: "ext_api", status: "queued" });
    tick(5);
    expect(queue.beginDispatch(part("acme/web"))).toMatchObject({ status: "sending", externalId: null });
    // The restarted worker begins both again: the first comes back started, the second still to send.
    expect(queue.beginDispatch(part("acme/api"))).toMatchObject({ externalId: "ext_api", status: "queued" });
    expect(queue.beginDispatch(part("acme/web"))).toMatchObject({ externalId: null, status: "sending" });
    expect(queue.dispatchesOf("run_1").map((d) => [d.repository, d.status])).toEqual([
      ["acme/api", "queued"],
      ["acme/web", "sending"],
    ]);
    // Two repositories of one run are one handoff under the hourly limit.
    expect(queue.takeDispatchSlot("acme", "run_2", 2)).toBe(true);
  });

  it("holds the per-organisation hourly limit, and lets a run that dispatched go on", async () => {
    const { queue, tick } = await setup();
    const begin = (runId: string) =>
      queue.beginDispatch({
        id: `${runId}:cursor:acme/api`,
        runId,
        jobId: null,
        org: "acme",
        target: "cursor",
        type: "cursor",
        repository: "acme/api",
      });
    for (const runId of ["run_1", "run_2"]) {
      expect(queue.takeDispatchSlot("acme", runId, 2)).toBe(true);
      begin(runId);
    }
    expect(queue.takeDispatchSlot("acme", "run_3", 2)).toBe(false);
    expect(queue.takeDispatchSlot("acme", "run_1", 2)).toBe(true);
    expect(queue.takeDispatchSlot("other-org", "run_4", 2)).toBe(true);
    tick(3600_001);
    expect(queue.takeDispatchSlot("acme", "run_3", 2)).toBe(true);
  });

  it("shares deliveries, jobs and leases between replicas of one database", async () => {
    const { queue, other, tick } = await setup();
    const b = other().queue;
    const { jobId } = queue.enqueue(delivery("r1")) as { jobId: string };
    expect(b.enqueue(delivery("r1")).kind).toBe("duplicate_delivery");
    expect(b.enqueue(delivery("r2"))).toEqual({ kind: "duplicate_issue", jobId });
    expect(queue.claim("worker_a", 5_000)?.id).toBe(jobId);
    expect(b.claim("worker_b", 5_000)).toBeNull();
    tick(6_000);
    expect(b.claim("worker_b", 5_000)?.id).toBe(jobId);
    expect(queue.advance(jobId, "worker_a", "root_cause")).toBe(false);
    expect(b.finish(jobId, "worker_b", "done")).toBe(true);
    expect(queue.get(jobId)?.state).toBe("done");
  });
});
