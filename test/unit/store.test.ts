import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { NotFoundError } from "../../src/errors.ts";
import { SqliteRunStore } from "../../src/store/sqlite.ts";

const issue = { id: "5103", shortId: "ORDERS-API-7A", title: "TypeError", project: "orders-api" };
const dbPath = () => join(mkdtempSync(join(tmpdir(), "autofix-store-")), "nested", "runs.db");

describe("SqliteRunStore", () => {
  it("persists a run with evidence, stage revisions and feedback across reopen", () => {
    const path = dbPath();
    const store = new SqliteRunStore(path);
    const run = store.createRun({ org: "acme", issue });
    expect(run.status).toBe("running");
    store.completeStage(run.id, "root_cause", { summary: "first" }, [
      { id: "frame:0", kind: "frame", summary: "discounts.ts:41", data: { line: 41 } },
    ]);
    store.addFeedback(run.id, "message", { text: "the rule table lost SPRING-24" });
    store.completeStage(run.id, "root_cause", { summary: "second" });
    store.close();

    const reopened = new SqliteRunStore(path);
    const again = reopened.getRun(run.id)!;
    expect(again.status).toBe("completed");
    expect(again.stages.root_cause).toMatchObject({ revision: 2, output: { summary: "second" } });
    expect(again.history).toHaveLength(2);
    expect(again.evidence).toEqual([
      { id: "frame:0", kind: "frame", summary: "discounts.ts:41", data: { line: 41 } },
    ]);
    expect(again.feedback[0]).toMatchObject({ seq: 1, kind: "message" });
    expect(reopened.listRuns({ issueId: "orders-api-7a" })[0]).toMatchObject({
      id: run.id,
      stages: ["root_cause"],
    });
    expect(reopened.check()).toEqual([]);
    reopened.close();
  });

  it("marks the latest revision stale", () => {
    const store = new SqliteRunStore(":memory:");
    const run = store.createRun({ org: "acme", issue });
    store.completeStage(run.id, "solution", { steps: [] });
    store.markStale(run.id, "solution");
    expect(store.getRun(run.id)!.stages.solution?.status).toBe("stale");
  });

  it("writes a stage all-or-nothing: a failure inside leaves no partial evidence", () => {
    const store = new SqliteRunStore(":memory:");
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

  it("reports a run abandoned by a dead process as interrupted, and keeps completed work on failure", () => {
    let now = Date.parse("2026-11-28T12:00:00Z");
    const store = new SqliteRunStore(":memory:", () => now);
    const run = store.createRun({ org: "acme", issue });
    now += 11 * 60_000;
    expect(store.getRun(run.id)!.status).toBe("interrupted");
    store.completeStage(run.id, "root_cause", {});
    store.failRun(run.id, "Sentry timed out");
    expect(store.getRun(run.id)).toMatchObject({ status: "completed", error: "Sentry timed out" });
  });

  it("refuses feedback for a run that does not exist", () => {
    const store = new SqliteRunStore(":memory:");
    expect(() => store.addFeedback("run_missing", "message", {})).toThrow(NotFoundError);
    expect(store.getRun("run_missing")).toBeNull();
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
