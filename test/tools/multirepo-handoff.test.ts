import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Delivery } from "../fakes/webhook-receiver.ts";
import { type HandoffSetup, handoffSetup } from "../helpers/handoff-targets.ts";

/**
 * S01 spans two connected repositories: the storefront's AxiosError 500 is orders-api's crash in redeem().
 * The plan puts each step in the repository its files live in; hand_off to a background target starts one
 * agent per repository, each brief scoped to its part and naming the other; the chat brief lists the parts.
 */

let setup: HandoffSetup;
beforeAll(async () => {
  setup = await handoffSetup({}, [], "s01");
});
afterAll(async () => {
  await setup?.close();
});

interface Sent {
  repository: string;
  brief: string;
  branch: string;
  dispatch_id: string;
  pr_body: string;
}
const sent = (d: Delivery) => d.body as Sent;
/** The brief's own plan: between "## Plan" and the next section. */
const planOf = (brief: string) => brief.slice(brief.indexOf("## Plan"), brief.indexOf("## Tests"));

async function planFor(issue: string) {
  const rc = await setup.call("analyze_root_cause", { issue });
  const plan = await setup.call("propose_solution", { run_id: rc.out.run_id });
  return { runId: rc.out.run_id as string, plan: plan.out, text: plan.text };
}

describe("a fix that spans two repositories", () => {
  it("puts each step in its files' repository, the downstream fix first", async () => {
    const { plan, text } = await planFor("STOREFRONT-2M");
    expect(plan.steps.map((s: any) => [s.repo, s.files])).toEqual([
      ["acme/orders-api", ["src/services/gift-cards.ts"]],
      ["acme/storefront", ["src/api/client.ts"]],
    ]);
    expect(plan.tests.map((t: any) => t.repo)).toEqual(["acme/orders-api", "acme/storefront"]);
    expect(text).toContain("`acme/storefront`: `src/api/client.ts`");
  });

  it("proposes a step in the calling service's repository when the error was raised here", async () => {
    // Analysed from orders-api's own issue: the storefront caller turned its 500 into STOREFRONT-2M.
    const { plan } = await planFor("ORDERS-API-5T");
    expect(plan.steps[0]).toMatchObject({ repo: "acme/orders-api", files: ["src/services/gift-cards.ts"] });
    const caller = plan.steps.find((s: any) => s.repo === "acme/storefront");
    expect(caller).toMatchObject({ files: ["src/api/client.ts"] });
    expect(caller.description).toContain("STOREFRONT-2M");
    expect(plan.tests.find((t: any) => t.repo === "acme/storefront")?.file).toBe("src/api/client.test.ts");
  });

  it("edit_solution adds a step in another connected repository, and refuses one that is not connected", async () => {
    const { runId } = await planFor("ORDERS-API-5T");
    const added = await setup.call("edit_solution", {
      run_id: runId,
      add: [
        {
          title: "Show the error",
          description: "Render the 422.",
          files: ["src/api/giftCards.ts"],
          repo: "acme/storefront",
        },
      ],
    });
    expect(added.isError).toBe(false);
    expect(added.out.steps.at(-1)).toMatchObject({
      repo: "acme/storefront",
      files: ["src/api/giftCards.ts"],
    });
    const refused = await setup.call("edit_solution", {
      run_id: runId,
      add: [{ title: "x", description: "y", files: ["a.ts"], repo: "attacker/exfil" }],
    });
    expect(refused.isError).toBe(true);
    expect(refused.text).toContain('repository "attacker/exfil" is not connected');
  });

  it("the chat brief lists the parts per repository", async () => {
    const { runId } = await planFor("STOREFRONT-2M");
    const out = await setup.call("hand_off", { run_id: runId });
    expect(out.out.dispatches).toEqual([
      { repo: "acme/orders-api", target: "chat", status: "ready", url: null },
      { repo: "acme/storefront", target: "chat", status: "ready", url: null },
    ]);
    expect(out.out.dispatch).toEqual({ target: "chat", status: "ready", url: null });
    expect(out.out.brief).toContain("## Parts of this fix");
    expect(out.out.brief).toMatch(/Part 1 of 2: `acme\/orders-api` — s1 /);
    expect(out.out.brief).toMatch(/Part 2 of 2: `acme\/storefront` — s2 /);
    expect(planOf(out.out.brief)).toContain("acme/storefront: src/api/client.ts");
    expect(out.text).toContain("each in a checkout of its repository");
  });

  it("a background target starts one agent per repository, each brief scoped to its part and naming the other", async () => {
    const { runId } = await planFor("STOREFRONT-2M");
    const before = setup.hook.deliveries.length;
    const out = await setup.call("hand_off", { run_id: runId, target: "hook" });
    expect(out.isError).toBe(false);
    const mine = setup.hook.deliveries.slice(before).map(sent);
    expect(mine.map((d) => d.repository)).toEqual(["acme/orders-api", "acme/storefront"]);
    const [api, web] = mine as [Sent, Sent];
    expect(api.branch).toBe(web.branch);
    expect(api.dispatch_id).toBe(`${runId}:hook:acme/orders-api`);
    expect(web.dispatch_id).toBe(`${runId}:hook:acme/storefront`);
    // Each brief holds its own steps and names the sibling part and its dispatch.
    expect(api.brief).toContain("This is part 1 of 2: the changes in `acme/orders-api`");
    expect(api.brief).toContain(`Part 2 of 2: \`acme/storefront\``);
    expect(api.brief).toContain(`dispatch \`${web.dispatch_id}\``);
    expect(planOf(api.brief)).toContain("acme/orders-api: src/services/gift-cards.ts");
    expect(planOf(api.brief)).not.toContain("src/api/client.ts");
    expect(web.brief).toContain("This is part 2 of 2: the changes in `acme/storefront`");
    expect(web.brief).toContain(`dispatch \`${api.dispatch_id}\``);
    expect(planOf(web.brief)).toContain("acme/storefront: src/api/client.ts");
    expect(planOf(web.brief)).not.toContain("gift-cards.ts");
    expect(web.pr_body).toContain("Fixes STOREFRONT-2M");
    expect(web.pr_body).not.toContain("Fix `redeem`");
    expect(out.out.dispatches.map((d: any) => [d.repo, d.status])).toEqual([
      ["acme/orders-api", "queued"],
      ["acme/storefront", "queued"],
    ]);
    expect(out.text).toContain("**Part 2**: `acme/storefront` → hook (queued)");

    const run = await setup.call("get_run", { run_id: runId });
    expect(run.out.run.dispatches.map((d: any) => d.repository)).toEqual([
      "acme/orders-api",
      "acme/storefront",
    ]);
    expect(run.text).toContain("hook → `acme/storefront`");

    // Handing off again starts nothing: each (run, repository) dispatch is found and adopted.
    const again = await setup.call("hand_off", { run_id: runId, target: "hook" });
    expect(again.isError).toBe(false);
    expect(setup.hook.deliveries.length).toBe(before + 2);
    expect(again.out.notes.filter((n: string) => n.includes("already been started"))).toHaveLength(2);
  });
});
