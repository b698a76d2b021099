import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../helpers/context.ts";
import { scenarioNamed, useScenarioSession } from "../helpers/session.ts";

const scenario = scenarioNamed("s03-python-keyerror");
const use = useScenarioSession(scenario);
let other: Awaited<ReturnType<typeof connect>>;
const updates: string[] = [];
const otherUpdates: string[] = [];

beforeAll(async () => {
  other = await connect(use.prepared.context);
  use.session.client.setNotificationHandler("notifications/resources/updated", (n) => {
    updates.push(n.params.uri);
  });
  other.client.setNotificationHandler("notifications/resources/updated", (n) => {
    otherUpdates.push(n.params.uri);
  });
});
afterAll(async () => {
  await other.close();
});

const settle = () => new Promise((r) => setTimeout(r, 50));

describe("subscribing to a run", () => {
  it("declares resources.subscribe", () => {
    expect(use.session.client.getServerCapabilities()?.resources?.subscribe).toBe(true);
  });

  it("notifies the subscriber, and only it, when the run changes; not after unsubscribing", async () => {
    const rc = await use.session.client.callTool({
      name: "analyze_root_cause",
      arguments: { issue: scenario.issue },
    });
    const runId = (rc.structuredContent as { run_id: string }).run_id;
    const uri = `autofix://runs/${runId}`;
    await use.session.client.subscribeResource({ uri });

    await use.session.client.callTool({ name: "add_feedback", arguments: { run_id: runId, confirm: 1 } });
    await use.session.client.callTool({ name: "propose_solution", arguments: { run_id: runId } });
    await settle();
    expect(updates.filter((u) => u === uri).length).toBeGreaterThanOrEqual(2);
    expect(otherUpdates).toEqual([]);

    await use.session.client.unsubscribeResource({ uri });
    const before = updates.length;
    await use.session.client.callTool({ name: "propose_solution", arguments: { run_id: runId } });
    await use.session.client.callTool({ name: "add_feedback", arguments: { run_id: runId, confirm: 1 } });
    await settle();
    expect(updates.length).toBe(before);
  });

  it("refuses runs that do not exist and resources that do not change", async () => {
    await expect(
      use.session.client.subscribeResource({ uri: "autofix://runs/run_20990101_0000000000" }),
    ).rejects.toThrow(/no run run_20990101_0000000000/);
    await expect(
      use.session.client.subscribeResource({ uri: "autofix://rules/acme/app/CLAUDE.md" }),
    ).rejects.toThrow(/only runs/);
  });

  it("stops listening when the session closes", async () => {
    const listeners = use.prepared.context.changes.size;
    const extra = await connect(use.prepared.context);
    expect(use.prepared.context.changes.size).toBe(listeners + 1);
    await extra.close();
    expect(use.prepared.context.changes.size).toBe(listeners);
  });
});
