import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Job } from "../../src/store/queue-types.ts";
import { OPERATOR_CSP, operatorPage } from "../../src/ui/operator-page.ts";
import { RUN_VIEW_BUDGET_BYTES, RUN_VIEW_URI, runViewHtml } from "../../src/ui/run-view.ts";
import { connect, testContext } from "../helpers/context.ts";

let session: Awaited<ReturnType<typeof connect>>;
beforeAll(async () => {
  session = await connect(testContext({ sentryUrl: "http://127.0.0.1:9" }));
});
afterAll(() => session.close());

describe("the MCP Apps run view", () => {
  it(`is one self-contained document within ${RUN_VIEW_BUDGET_BYTES / 1024} KiB`, () => {
    const html = runViewHtml();
    expect(Buffer.byteLength(html)).toBeLessThanOrEqual(RUN_VIEW_BUDGET_BYTES);
    // No external resource of any kind, and only the one script, which never builds markup from strings.
    expect(html).not.toMatch(/\b(src|href)\s*=/i);
    expect(html.match(/<script>/g)).toHaveLength(1);
    expect(html).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
  });

  it("allows only its own script and styles, by hash, and no connections", () => {
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(runViewHtml())?.[1] ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'none'");
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'(;|$)/);
    expect(csp).not.toContain("unsafe");
  });

  it("is declared by analyze_root_cause, get_run and get_trace, and served as text/html;profile=mcp-app", async () => {
    const { tools } = await session.client.listTools();
    const declaring = tools
      .filter((t) => (t._meta as any)?.ui?.resourceUri === RUN_VIEW_URI)
      .map((t) => t.name);
    expect(declaring.sort()).toEqual(["analyze_root_cause", "get_run", "get_trace"]);
    const { contents } = await session.client.readResource({ uri: RUN_VIEW_URI });
    expect(contents[0]).toMatchObject({ uri: RUN_VIEW_URI, mimeType: "text/html;profile=mcp-app" });
    expect((contents[0] as { text: string }).text).toBe(runViewHtml());
    const { resources } = await session.client.listResources();
    expect(resources.map((r) => r.uri)).toContain(RUN_VIEW_URI);
  });
});

describe("the operator page", () => {
  const job = (over: Partial<Job>): Job => ({
    id: "job_1",
    org: "acme",
    issueId: "1",
    shortId: "X-1",
    source: "sentry",
    state: "dead",
    step: "dispatch",
    runId: null,
    attempts: 3,
    nextAt: "",
    leaseOwner: null,
    leaseUntil: null,
    lastError: `<img src=x onerror=alert(1)> "quoted"`,
    reason: null,
    createdAt: "",
    updatedAt: "",
    ...over,
  });
  const view = (csrf: string | null, dispatchUrl: string) =>
    operatorPage({
      runs: [],
      jobs: [job({}), job({ id: "job_2", state: "skipped", reason: "fewer than 10 events" })],
      dispatches: [
        {
          id: "d",
          runId: "r",
          jobId: null,
          org: null,
          target: "hook",
          type: "webhook",
          repository: "acme/x",
          externalId: null,
          status: "running",
          url: dispatchUrl,
          prUrl: "https://github.com/acme/x/pull/3",
          summary: null,
          callbackToken: "secret-callback",
          issue: "X-1",
          createdAt: "",
          updatedAt: "",
        },
      ],
      queue: { queued: 0, running: 0, done: 0, skipped: 1, dead: 1 },
      analyses: { running: 0, waiting: 0 },
      sessions: 2,
      csrf,
      notice: null,
    });

  it("escapes every value, links only https, and never shows a dispatch's callback token", () => {
    const html = view("tok", "javascript:alert(1)");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt; &quot;quoted&quot;");
    expect(html).not.toContain("<img");
    expect(html).not.toContain('href="javascript');
    expect(html).toContain('href="https://github.com/acme/x/pull/3"');
    expect(html).not.toContain("secret-callback");
    expect(html).toContain("fewer than 10 events");
    expect(html).not.toMatch(/<script/i);
    expect(OPERATOR_CSP).toContain("default-src 'none'");
  });

  it("offers retry only on dead jobs, each form carrying the session's CSRF token", () => {
    const forms = view("tok-123", "https://cursor.com/agents/1").match(/action="\/ui\/jobs\/[^"]+\/retry"/g);
    expect(forms).toEqual(['action="/ui/jobs/job_1/retry"']);
    expect(view("tok-123", "").match(/name="csrf" value="tok-123"/g)?.length).toBe(2);
  });
});
