import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, inject, it } from "vitest";
import { NotFoundError } from "../../src/errors.ts";
import { SqliteRunStore } from "../../src/store/sqlite.ts";
import { freshDatabase, sql } from "../helpers/postgres.ts";
import { backends, type OpenedStores, openPg } from "../helpers/stores.ts";

const issue = { id: "5103", shortId: "ORDERS-API-7A", title: "TypeError", project: "orders-api" };
const dbPath = () => join(mkdtempSync(join(tmpdir(), "autofix-store-")), "nested", "runs.db");

const opened: OpenedStores[] = [];
afterEach(async () => {
  for (const o of opened.splice(0)) await o.close();
});

describe.each(backends)("run store on $name", (backend) => {
  const open = async (now?: () => number) => {
    const db = await backend.create();
    const stores = db.open(now);
    opened.push(stores);
    return { ...stores, db };
  };

  it("keeps a run with evidence, stage revisions and feedback, in order", async () => {
    const { store } = await open();
    const run = store.createRun({ org: "acme", issue });
    expect(run.status).toBe("running");
    const evidence = ["frame:0", "span:1", "log:2"].map((id, i) => ({
      id,
      kind: "frame",
      summary: `discounts.ts:${41 + i}`,
      data: { line: 41 + i, nested: { z: 1, a: [null, "x"] } },
    }));
    store.completeStage(run.id, "root_cause", { summary: "first", b: 2, a: 1 }, evidence);
    store.addFeedback(run.id, "message", { text: "the rule table lost SPRING-24" });
    store.addFeedback(run.id, "pin", { path: "src/a.ts" });
    store.completeStage(run.id, "root_cause", { summary: "second" });
    const again = store.getRun(run.id)!;
    expect(again.status).toBe("completed");
    expect(again.stages.root_cause).toMatchObject({ revision: 2, output: { summary: "second" } });
    expect(again.history.map((h) => h.revision)).toEqual([1, 2]);
    // Key order survives: renderers walk outputs as written.
    expect(Object.keys(again.history[0]!.output as object)).toEqual(["summary", "b", "a"]);
    expect(again.evidence).toEqual(evidence);
    expect(again.feedback.map((f) => [f.seq, f.kind])).toEqual([
      [1, "message"],
      [2, "pin"],
    ]);
    expect(store.listRuns({ issueId: "orders-api-7a" })[0]).toMatchObject({
      id: run.id,
      stages: ["root_cause"],
    });
    expect(store.check()).toEqual([]);
  });

  it("remembers which repository a person named for a project, replaces it, and forgets it", async () => {
    const { store } = await open(() => Date.parse("2026-11-28T10:00:00Z"));
    expect(store.answers.get("acme", "loyalty")).toBeNull();
    store.answers.remember({ org: "acme", project: "loyalty", repository: "/srv/loyalty", kind: "path" });
    store.answers.remember({ org: "acme", project: "loyalty", repository: "acme/loyalty", kind: "name" });
    store.answers.remember({ org: "other", project: "loyalty", repository: "other/loyalty", kind: "name" });
    expect(store.answers.get("acme", "loyalty")).toEqual({
      org: "acme",
      project: "loyalty",
      repository: "acme/loyalty",
      kind: "name",
      answeredAt: "2026-11-28T10:00:00.000Z",
    });
    expect(store.answers.forget("loyalty", "acme")).toBe(1);
    expect(store.answers.get("acme", "loyalty")).toBeNull();
    expect(store.answers.get("other", "loyalty")).not.toBeNull();
    expect(store.answers.forget("loyalty")).toBe(1);
    expect(store.answers.forget("loyalty")).toBe(0);
  });

  it("marks the latest revision stale", async () => {
    const { store } = await open();
    const run = store.createRun({ org: "acme", issue });
    store.completeStage(run.id, "solution", { steps: [] });
    store.completeStage(run.id, "solution", { steps: [1] });
    store.markStale(run.id, "solution");
    const after = store.getRun(run.id)!;
    expect(after.stages.solution).toMatchObject({ revision: 2, status: "stale" });
    expect(after.history[0]!.status).toBe("completed");
  });

  it("writes a stage all-or-nothing: a failure inside leaves no partial evidence", async () => {
    const { store } = await open();
    const run = store.createRun({ org: "acme", issue });
    store.completeStage(run.id, "root_cause", { ok: 1 }, [{ id: "a", kind: "k", summary: "s", data: null }]);
    const duplicate = [
      { id: "b", kind: "k", summary: "s", data: null },
      { id: "b", kind: "k", summary: "s", data: null },
    ];
    expect(() => store.completeStage(run.id, "root_cause", { ok: 2 }, duplicate)).toThrow();
    const after = store.getRun(run.id)!;
    expect(after.evidence.map((e) => e.id)).toEqual(["a"]);
    expect(after.stages.root_cause?.revision).toBe(1);
  });

  it("rolls back everything written inside atomically() when it throws", async () => {
    const { store, queue } = await open();
    expect(() =>
      store.atomically(() => {
        store.createRun({ org: "acme", issue });
        queue.enqueue({
          requestId: "r1",
          resource: "issue",
          action: "created",
          org: "acme",
          issueId: "1",
          shortId: null,
        });
        throw new Error("lease lost");
      }),
    ).toThrow("lease lost");
    expect(store.listRuns()).toEqual([]);
    expect(queue.depth().queued).toBe(0);
    // And the store is usable afterwards (no transaction left open).
    expect(store.createRun({ org: "acme", issue }).status).toBe("running");
  });

  it("reports a run abandoned by a dead process as interrupted, and keeps completed work on failure", async () => {
    let now = Date.parse("2026-11-28T12:00:00Z");
    const { store } = await open(() => now);
    const run = store.createRun({ org: "acme", issue });
    now += 11 * 60_000;
    expect(store.getRun(run.id)!.status).toBe("interrupted");
    store.completeStage(run.id, "root_cause", {});
    store.failRun(run.id, "Sentry timed out");
    expect(store.getRun(run.id)).toMatchObject({ status: "completed", error: "Sentry timed out" });
    const other = store.createRun({ org: "acme", issue });
    store.failRun(other.id, "no repository");
    expect(store.getRun(other.id)).toMatchObject({ status: "failed", error: "no repository" });
  });

  it("refuses feedback for a run that does not exist", async () => {
    const { store } = await open();
    expect(() => store.addFeedback("run_missing", "message", {})).toThrow(NotFoundError);
    expect(() => store.completeStage("run_missing", "solution", {})).toThrow(NotFoundError);
    expect(store.getRun("run_missing")).toBeNull();
  });

  it("lists the newest runs first, within the limit", async () => {
    let now = Date.parse("2026-11-28T12:00:00Z");
    const { store } = await open(() => now);
    const ids = Array.from({ length: 5 }, (_, i) => {
      now += 1000;
      return store.createRun({ org: "acme", issue: { ...issue, id: String(i), shortId: `A-${i}` } }).id;
    });
    expect(store.listRuns({ limit: 3 }).map((r) => r.id)).toEqual(ids.slice(2).reverse());
    expect(store.listRuns({ issueId: "a-1" }).map((r) => r.id)).toEqual([ids[1]]);
  });

  it("tells listeners after each write commits", async () => {
    const { store } = await open();
    const seen: string[] = [];
    store.changed = (runId) => seen.push(runId);
    const run = store.createRun({ org: "acme", issue });
    store.completeStage(run.id, "root_cause", {});
    store.addFeedback(run.id, "message", {});
    expect(seen).toEqual([run.id, run.id, run.id]);
  });
});

describe("SQLite store files", () => {
  it("persists across reopen, in a 0600 file", () => {
    const path = dbPath();
    const store = new SqliteRunStore(path);
    const run = store.createRun({ org: "acme", issue });
    store.completeStage(run.id, "root_cause", { summary: "first" });
    store.close();
    const reopened = new SqliteRunStore(path);
    expect(reopened.getRun(run.id)?.stages.root_cause?.output).toEqual({ summary: "first" });
    expect(reopened.check()).toEqual([]);
    reopened.close();
  });

  it("refuses a database written by a newer schema", () => {
    const path = dbPath();
    new SqliteRunStore(path).close();
    const raw = new Database(path);
    raw.pragma("user_version = 99");
    raw.close();
    expect(() => new SqliteRunStore(path)).toThrow(/newer autofix-mcp/);
  });
});

describe("PostgreSQL schema", () => {
  it("migrates once when replicas start together, and refuses a newer schema", async () => {
    const url = await freshDatabase(inject("postgresUrl"));
    const replicas = Array.from({ length: 4 }, (_, i) => openPg(url, Date.now, `r${i}`));
    opened.push(...replicas);
    // Each replica's first query waits for its migrations; they run on four threads at once.
    const versions = await Promise.all(replicas.map((r) => r.bridge.health()));
    expect(versions.map((v) => [v.reachable, v.migration])).toEqual(Array(4).fill([true, 2]));
    const applied = await sql<{ version: number }>(
      url,
      "SELECT version FROM autofix_migrations ORDER BY version",
    );
    expect(applied).toEqual([{ version: 1 }, { version: 2 }]);

    await sql(url, "INSERT INTO autofix_migrations (version, applied_at) VALUES (99, 'later')");
    const newer = openPg(url);
    opened.push(newer);
    expect(() => newer.store.listRuns()).toThrow(/newer autofix-mcp \(schema 99/);
  });

  it("says the database is unreachable, naming where, without the password", async () => {
    const stores = openPg("postgres://autofix:s3cret-pw@127.0.0.1:9/none");
    opened.push(stores);
    let error: Error | null = null;
    try {
      stores.store.listRuns();
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toMatch(/PostgreSQL database at 127\.0\.0\.1:9\/none is not available/);
    expect(error?.message).not.toContain("s3cret-pw");
    expect(await stores.bridge.health()).toMatchObject({ kind: "postgres", reachable: false });
  });

  it("fails at once, not after a timeout, once its database thread has stopped", async () => {
    const stores = openPg(await freshDatabase(inject("postgresUrl")));
    expect(stores.store.listRuns()).toEqual([]);
    await stores.close();
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    expect(() => stores.store.listRuns()).toThrow(/database thread stopped/);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await stores.bridge.health()).toMatchObject({ reachable: false });
  });
});
