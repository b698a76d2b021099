import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Context } from "../context.ts";
import { describeError } from "../errors.ts";
import { runStep } from "./pipeline.ts";

/**
 * Runs queued jobs in the background: up to `concurrency` at once, each under a lease renewed while it
 * works. A job moves one step per claim and is claimed again for the next, so progress is persisted between
 * steps and a restart picks up exactly where the last completed step left off.
 */
export class Worker {
  readonly id = `worker_${hostname()}_${process.pid}_${randomBytes(3).toString("hex")}`;
  private running = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abort = new AbortController();

  constructor(
    private readonly ctx: Context,
    private readonly options: { pollMs?: number; leaseMs?: number } = {},
  ) {}

  start(): void {
    this.stopped = false;
    try {
      const released = this.ctx.queue().releaseLeases((owner) => deadLocalOwner(owner));
      if (released > 0) this.ctx.logger.info("resuming jobs of a worker that stopped", { jobs: released });
    } catch (error) {
      // A shared database that is down: the dead worker's leases run out instead.
      this.ctx.logger.warn("could not look for jobs of a worker that stopped", { error });
    }
    this.schedule(0);
  }

  /** Look for work now (a webhook just enqueued a job). */
  kick(): void {
    if (!this.stopped) this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.abort.abort();
    await Promise.allSettled([...this.inFlight]);
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.fill(), ms);
    this.timer.unref();
  }

  private fill(): void {
    if (this.stopped) return;
    const queue = this.ctx.queue();
    while (this.running < this.ctx.config.automation.concurrency) {
      let job: { id: string } | null;
      try {
        job = queue.claim(this.id, this.options.leaseMs ?? this.ctx.config.automation.leaseSeconds * 1000);
      } catch (error) {
        // The database is unavailable (PostgreSQL restarting): the jobs wait there; try again next poll.
        this.ctx.logger.warn("could not claim jobs", { error });
        break;
      }
      if (!job) break;
      this.running++;
      const work = this.execute(job.id)
        .catch((error: unknown) => this.ctx.logger.warn("job step could not start", { job: job?.id, error }))
        .finally(() => {
          this.running--;
          this.inFlight.delete(work);
          this.schedule(0);
        });
      this.inFlight.add(work);
    }
    this.schedule(this.options.pollMs ?? 1_000);
  }

  private async execute(jobId: string): Promise<void> {
    const queue = this.ctx.queue();
    const job = queue.get(jobId)!;
    const log = this.ctx.logger.child({
      component: "worker",
      job: job.id,
      issue: job.issueId,
      step: job.step,
    });
    const leaseMs = this.options.leaseMs ?? this.ctx.config.automation.leaseSeconds * 1000;
    const beat = setInterval(
      () => {
        try {
          queue.heartbeat(job.id, this.id, leaseMs);
        } catch (error) {
          log.warn("lease not renewed", { error });
        }
      },
      Math.max(1_000, leaseMs / 3),
    );
    beat.unref();
    const started = Date.now();
    try {
      const outcome = await runStep(this.ctx, job, this.id, this.abort.signal);
      if (outcome.kind === "finished") queue.finish(job.id, this.id, outcome.state, outcome.reason);
      else if (outcome.kind === "later") queue.later(job.id, this.id, outcome.delayMs, outcome.reason);
      else queue.later(job.id, this.id, 0);
      log.info("job step", {
        outcome: outcome.kind,
        ms: Date.now() - started,
        reason: "reason" in outcome ? outcome.reason : undefined,
      });
    } catch (error) {
      if (this.stopped) return;
      try {
        const state = queue.fail(
          job.id,
          this.id,
          describeError(error).text,
          this.ctx.config.automation.maxAttempts,
        );
        log.warn("job step failed", { error, state });
      } catch (failed) {
        // Not even the failure could be written: the lease runs out and the job is retried from its step.
        log.warn("job step failed, and so did recording it", { error, failed });
      }
    } finally {
      clearInterval(beat);
    }
  }
}

/** A worker of this host whose process no longer exists. Owners on other hosts wait for their lease. */
function deadLocalOwner(owner: string): boolean {
  const m = /^worker_(.+)_(\d+)_[0-9a-f]+$/.exec(owner);
  if (!m || m[1] !== hostname() || Number(m[2]) === process.pid) return false;
  try {
    process.kill(Number(m[2]), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}
