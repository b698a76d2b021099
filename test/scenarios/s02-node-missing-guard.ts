import type { Json } from "../../src/sandbox/scenario.ts";
import {
  ago,
  breadcrumb,
  breadcrumbsEntry,
  chainEvents,
  code,
  committersPayload,
  DAY,
  daysAgo,
  edit,
  errorEvent,
  eventRelease,
  exceptionEntry,
  exceptionValue,
  HOUR,
  hexId,
  issueDetails,
  libraryFrame,
  logRows,
  MIN,
  organization,
  type ProjectDef,
  projectJson,
  release,
  releaseStub,
  releasesOf,
  SEC,
  sentryCommit,
  sourceFrame,
  tagDistribution,
} from "./builders.ts";
import type { CorpusScenario, RepoSpec } from "./types.ts";

/**
 * S02: subscription renewals paid by SEPA Direct Debit crash while building the receipt. The receipt builder
 * started printing the card's brand and last four digits, and SEPA payment methods have no card.
 */

const BILLING: ProjectDef = { id: 4521, slug: "billing-worker", platform: "node" };
const REPO = "acme/billing-service";

const ANA = { author: "Ana Sousa", email: "ana.sousa@acme.shop" };
const KOFI = { author: "Kofi Mensah", email: "kofi.mensah@acme.shop" };
const BOT = { author: "renovate[bot]", email: "29139614+renovate[bot]@users.noreply.github.com" };

const pkg = (bullmq: string) =>
  code(`
{
  "name": "@acme/billing-service",
  "private": true,
  "version": "4.2.0",
  "type": "commonjs",
  "scripts": {
    "start": "node --enable-source-maps dist/worker.js",
    "build": "tsc -p ."
  },
  "dependencies": {
    "@sentry/node": "^9.30.0",
    "bullmq": "${bullmq}",
    "pg": "^8.13.1",
    "pino": "^9.5.0"
  },
  "devDependencies": {
    "@types/pg": "^8.11.10",
    "typescript": "^5.6.3"
  }
}
`);

const worker = code(`
import * as Sentry from "@sentry/node";
import { Worker } from "bullmq";
import { handleRenewalJob } from "./jobs/renewals";
import { logger } from "./logger";

Sentry.init({
  dsn: process.env.SENTRY_DSN,
  release: process.env.RELEASE,
  environment: process.env.APP_ENV ?? "development",
  tracesSampleRate: 0.1,
});

const connection = { url: process.env.REDIS_URL ?? "redis://localhost:6379" };

const renewals = new Worker("renewals", handleRenewalJob, { connection, concurrency: 4 });
renewals.on("failed", (job, err) => logger.error({ jobId: job?.id, err }, "renewal job failed"));

process.on("SIGTERM", () => {
  renewals.close().finally(() => process.exit(0));
});
`);

const logger = code(`
import pino from "pino";

export const logger = pino({ level: process.env.LOG_LEVEL ?? "info" });
`);

const dbV0 = code(`
import { Pool } from "pg";

export const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 8 });

export interface PaymentMethod {
  id: string;
  type: "card";
  card: { brand: string; last4: string; expMonth: number; expYear: number };
}

export interface Subscription {
  id: string;
  customerId: string;
  customerEmail: string;
  plan: string;
  priceCents: number;
  currency: string;
  periodEnd: Date;
  paymentMethod: PaymentMethod;
}

export async function loadSubscription(id: string): Promise<Subscription> {
  const { rows } = await pool.query(
    "SELECT s.id, s.customer_id, c.email, s.plan, s.price_cents, s.currency, s.period_end, s.payment_method " +
      "FROM subscriptions s JOIN customers c ON c.id = s.customer_id WHERE s.id = $1",
    [id],
  );
  const row = rows[0];
  if (!row) throw new Error("subscription " + id + " not found");
  return {
    id: row.id,
    customerId: row.customer_id,
    customerEmail: row.email,
    plan: row.plan,
    priceCents: row.price_cents,
    currency: row.currency,
    periodEnd: row.period_end,
    paymentMethod: row.payment_method,
  };
}

export async function extendPeriod(id: string, periodEnd: Date): Promise<void> {
  await pool.query("UPDATE subscriptions SET period_end = $2 WHERE id = $1", [id, periodEnd]);
}
`);

const dbV1 = edit(
  dbV0,
  `export interface PaymentMethod {
  id: string;
  type: "card";
  card: { brand: string; last4: string; expMonth: number; expYear: number };
}`,
  `/** Exactly one of card / sepaDebit is set, matching type. */
export interface PaymentMethod {
  id: string;
  type: "card" | "sepa_debit";
  card?: { brand: string; last4: string; expMonth: number; expYear: number };
  sepaDebit?: { bankCode: string; last4: string; mandateReference: string };
}`,
);

const payments = code(`
import { randomUUID } from "node:crypto";
import type { Subscription } from "./db";

export interface Charge {
  id: string;
  amountCents: number;
  currency: string;
  status: "succeeded" | "pending";
}

const PSP_URL = process.env.PSP_URL ?? "https://psp.example.com";

export async function chargeSubscription(sub: Subscription): Promise<Charge> {
  const res = await fetch(PSP_URL + "/v2/charges", {
    method: "POST",
    headers: {
      authorization: "Bearer " + process.env.PSP_SECRET_KEY,
      "content-type": "application/json",
      "idempotency-key": sub.id + ":" + sub.periodEnd.toISOString(),
    },
    body: JSON.stringify({
      amount: sub.priceCents,
      currency: sub.currency,
      customer: sub.customerId,
      payment_method: sub.paymentMethod.id,
      reference: randomUUID(),
    }),
  });
  if (!res.ok) throw new Error("PSP refused charge for " + sub.id + ": HTTP " + res.status);
  const body = (await res.json()) as { id: string; status: "succeeded" | "pending" };
  return { id: body.id, amountCents: sub.priceCents, currency: sub.currency, status: body.status };
}
`);

const receiptsV0 = code(`
import type { Charge } from "../payments";
import type { Subscription } from "../db";

export interface Receipt {
  to: string;
  subject: string;
  lines: string[];
}

function money(cents: number, currency: string): string {
  return new Intl.NumberFormat("en-IE", { style: "currency", currency }).format(cents / 100);
}

export function buildRenewalReceipt(sub: Subscription, charge: Charge): Receipt {
  const period = sub.periodEnd.toISOString().slice(0, 10);
  return {
    to: sub.customerEmail,
    subject: "Your Acme " + sub.plan + " subscription has been renewed",
    lines: [
      "Plan: " + sub.plan,
      "Amount: " + money(charge.amountCents, charge.currency),
      "Next renewal: " + period,
      "Reference: " + charge.id,
    ],
  };
}
`);

const receiptsV2 = code(`
import type { Charge } from "../payments";
import type { Subscription } from "../db";

export interface Receipt {
  to: string;
  subject: string;
  lines: string[];
}

function money(cents: number, currency: string): string {
  return new Intl.NumberFormat("en-IE", { style: "currency", currency }).format(cents / 100);
}

export function buildRenewalReceipt(sub: Subscription, charge: Charge): Receipt {
  const period = sub.periodEnd.toISOString().slice(0, 10);
  const paidWith = sub.paymentMethod.card!.brand.toUpperCase() + " •••• " + sub.paymentMethod.card!.last4;
  return {
    to: sub.customerEmail,
    subject: "Your Acme " + sub.plan + " subscription has been renewed",
    lines: [
      "Plan: " + sub.plan,
      "Amount: " + money(charge.amountCents, charge.currency),
      "Paid with: " + paidWith,
      "Next renewal: " + period,
      "Reference: " + charge.id,
    ],
  };
}
`);

const receiptsV4 = code(`
import type { Charge } from "../payments";
import type { Subscription } from "../db";

export interface Receipt {
  to: string;
  subject: string;
  lines: string[];
}

function money(cents: number, currency: string): string {
  return new Intl.NumberFormat("en-IE", { style: "currency", currency }).format(cents / 100);
}

/** Business customers must see our VAT number on every receipt (EU invoicing rules). */
const ACME_VAT_ID = process.env.ACME_VAT_ID ?? "IE3668997OH";

export function buildRenewalReceipt(sub: Subscription, charge: Charge): Receipt {
  const period = sub.periodEnd.toISOString().slice(0, 10);
  const paidWith = sub.paymentMethod.card!.brand.toUpperCase() + " •••• " + sub.paymentMethod.card!.last4;
  return {
    to: sub.customerEmail,
    subject: "Your Acme " + sub.plan + " subscription has been renewed",
    lines: [
      "Plan: " + sub.plan,
      "Amount: " + money(charge.amountCents, charge.currency),
      "Paid with: " + paidWith,
      "Next renewal: " + period,
      "Reference: " + charge.id,
      "Acme VAT ID: " + ACME_VAT_ID,
    ],
  };
}
`);

const email = code(`
import type { Receipt } from "./services/receipts";

export async function sendEmail(receipt: Receipt): Promise<void> {
  const res = await fetch((process.env.MAILER_URL ?? "http://mailer.internal") + "/v1/send", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ to: receipt.to, subject: receipt.subject, text: receipt.lines.join("\\n") }),
  });
  if (!res.ok) throw new Error("mailer answered HTTP " + res.status);
}
`);

const renewalService = code(`
import { extendPeriod, loadSubscription } from "../db";
import { sendEmail } from "../email";
import { logger } from "../logger";
import { chargeSubscription } from "../payments";
import { buildRenewalReceipt } from "./receipts";

function addMonths(date: Date, months: number): Date {
  const next = new Date(date);
  next.setUTCMonth(next.getUTCMonth() + months);
  return next;
}

export async function renewSubscription(subscriptionId: string): Promise<void> {
  const sub = await loadSubscription(subscriptionId);
  logger.info({ subscriptionId, method: sub.paymentMethod.type }, "charging subscription");
  const charge = await chargeSubscription(sub);
  const periodEnd = addMonths(sub.periodEnd, 1);
  await extendPeriod(sub.id, periodEnd);
  const receipt = buildRenewalReceipt({ ...sub, periodEnd }, charge);
  await sendEmail(receipt);
  logger.info({ subscriptionId, chargeId: charge.id }, "subscription renewed");
}
`);

const renewalJobV0 = code(`
import type { Job } from "bullmq";
import { renewSubscription } from "../services/renewals";

export interface RenewalJob {
  subscriptionId: string;
}

export async function handleRenewalJob(job: Job<RenewalJob>): Promise<void> {
  await renewSubscription(job.data.subscriptionId);
}
`);

const renewalJobV1 = code(`
import * as Sentry from "@sentry/node";
import type { Job } from "bullmq";
import { renewSubscription } from "../services/renewals";

export interface RenewalJob {
  subscriptionId: string;
  paymentMethodType: "card" | "sepa_debit";
}

export async function handleRenewalJob(job: Job<RenewalJob>): Promise<void> {
  Sentry.setTag("payment_method.type", job.data.paymentMethodType);
  Sentry.setTag("subscription.id", job.data.subscriptionId);
  await renewSubscription(job.data.subscriptionId);
}
`);

const repo: RepoSpec = {
  name: REPO,
  projects: [BILLING.slug],
  commits: [
    {
      ...KOFI,
      message: "billing worker: monthly renewals",
      date: daysAgo(38),
      files: {
        "package.json": pkg("^5.21.2"),
        "src/worker.ts": worker,
        "src/logger.ts": logger,
        "src/db.ts": dbV0,
        "src/payments.ts": payments,
        "src/email.ts": email,
        "src/services/renewals.ts": renewalService,
        "src/services/receipts.ts": receiptsV0,
        "src/jobs/renewals.ts": renewalJobV0,
      },
    },
    {
      ...KOFI,
      message:
        "payments: support SEPA Direct Debit for subscriptions (#71)\n\nPaymentMethod.card is now only set for card payments; SEPA mandates carry sepaDebit instead.",
      date: daysAgo(17),
      files: { "src/db.ts": dbV1, "src/jobs/renewals.ts": renewalJobV1 },
    },
    {
      ...ANA,
      message: "receipts: show which card paid for the renewal (#88)",
      date: daysAgo(5.6),
      files: { "src/services/receipts.ts": receiptsV2 },
    },
    {
      ...BOT,
      message: "chore(deps): update dependency bullmq to ^5.34.0",
      date: daysAgo(5.1),
      files: { "package.json": pkg("^5.34.0") },
    },
    {
      ...ANA,
      message: "receipts: print Acme's VAT number (#91)",
      date: daysAgo(0.7),
      files: { "src/services/receipts.ts": receiptsV4 },
    },
  ],
};

// ---- Sentry ----------------------------------------------------------------------------------------------

const REL = release({
  version: "billing-service@4.2.0",
  id: 51_300_042,
  project: BILLING,
  repo,
  repoId: "71",
  commits: [2, 3],
  createdMs: ago(4 * DAY + 20 * HOUR),
  newGroups: 1,
  lastEventMs: ago(31 * MIN),
});

const ISSUE = "7320114";
const SHORT = "BILLING-WORKER-1K";
const TITLE = "TypeError: Cannot read properties of undefined (reading 'brand')";
const EVENTS = [
  { id: hexId("s02:event:1"), ms: ago(4 * DAY + 9 * HOUR), sub: "sub_1QxA7r", customer: "cus_7e21aa" },
  { id: hexId("s02:event:2"), ms: ago(31 * MIN), sub: "sub_1R4mZc", customer: "cus_90b3f4" },
];

function frames(): Json[] {
  const app = (src: string, path: string, fn: string, at: string, colNo: number) =>
    sourceFrame({
      src,
      at,
      fn,
      filename: path,
      absPath: `/app/${path}`,
      module: path
        .replace(/^src\//, "src.")
        .replace(/\.ts$/, "")
        .replace(/\/([^/]+)$/, ":$1"),
      colNo,
    });
  return [
    libraryFrame({
      filename: "node:internal/process/task_queues",
      absPath: "node:internal/process/task_queues",
      module: "task_queues",
      fn: "process.processTicksAndRejections",
      lineNo: 105,
      colNo: 5,
    }),
    libraryFrame({
      filename: "/app/node_modules/bullmq/dist/cjs/classes/worker.js",
      absPath: "/app/node_modules/bullmq/dist/cjs/classes/worker.js",
      module: "bullmq.dist.cjs.classes:worker",
      fn: "Worker.processJob",
      lineNo: 455,
      colNo: 34,
    }),
    app(renewalJobV1, "src/jobs/renewals.ts", "handleRenewalJob", "await renewSubscription(", 3),
    app(renewalService, "src/services/renewals.ts", "renewSubscription", "buildRenewalReceipt({ ...sub", 19),
    app(receiptsV2, "src/services/receipts.ts", "buildRenewalReceipt", "const paidWith =", 51),
  ];
}

function renewalEvent(e: (typeof EVENTS)[number]): Json {
  const trace = hexId(`s02:trace:${e.id}`);
  return errorEvent({
    id: e.id,
    issueId: ISSUE,
    project: BILLING,
    platform: "node",
    title: TITLE,
    culprit: "buildRenewalReceipt(src/services/receipts)",
    location: "src/services/receipts.ts",
    dateMs: e.ms,
    entries: [
      exceptionEntry([
        exceptionValue({
          type: "TypeError",
          value: "Cannot read properties of undefined (reading 'brand')",
          mechanism: { type: "generic", handled: false },
          frames: frames(),
        }),
      ]),
      breadcrumbsEntry([
        breadcrumb(e.ms - 1_900, "default", "console", "charging subscription", {
          subscriptionId: e.sub,
          method: "sepa_debit",
        }),
        breadcrumb(e.ms - 1_420, "http", "http", null, {
          method: "POST",
          url: "https://psp.example.com/v2/charges",
          status_code: 200,
        }),
        breadcrumb(e.ms - 40, "query", "query", "UPDATE subscriptions SET period_end = $2 WHERE id = $1", {
          "db.system": "postgresql",
        }),
      ]),
    ],
    tags: {
      environment: "production",
      handled: "no",
      level: "error",
      mechanism: "generic",
      "payment_method.type": "sepa_debit",
      release: REL.version,
      "runtime.name": "node",
      server_name: "billing-worker-5b7d9c6f8-2kqzn",
      "subscription.id": e.sub,
      transaction: "renewals",
    },
    contexts: {
      trace: {
        trace_id: trace,
        span_id: hexId(`s02:span:${e.id}`, 16),
        op: "queue.process",
        status: "internal_error",
        origin: "manual",
        sampled: true,
        type: "trace",
      },
      runtime: { name: "node", version: "v20.18.1", type: "runtime" },
      os: { name: "Linux", version: "6.1.112", type: "os" },
    },
    user: { id: e.customer, email: null, username: null, ip_address: null, name: null, geo: null },
    sdk: { name: "sentry.javascript.node", version: "9.30.0" },
    release: eventRelease(REL),
    metadata: {
      type: "TypeError",
      value: "Cannot read properties of undefined (reading 'brand')",
      filename: "src/services/receipts.ts",
      function: "buildRenewalReceipt",
      in_app_frame_mix: "mixed",
    },
  });
}

function logs(): Json[] {
  return logRows(
    EVENTS.flatMap((e) => {
      const trace = hexId(`s02:trace:${e.id}`);
      const base = { project: BILLING.slug, trace };
      return [
        {
          ...base,
          ms: e.ms - 1_900,
          severity: "info" as const,
          message: "charging subscription",
          attrs: { subscriptionId: e.sub, method: "sepa_debit" },
        },
        {
          ...base,
          ms: e.ms + 2,
          severity: "error" as const,
          message: "renewal job failed",
          attrs: {
            subscriptionId: e.sub,
            "err.message": "Cannot read properties of undefined (reading 'brand')",
          },
        },
        {
          ...base,
          ms: e.ms - 20 * SEC,
          severity: "info" as const,
          message: "subscription renewed",
          attrs: { subscriptionId: "sub_1PzK2d", chargeId: "ch_3QF2nL9x" },
        },
      ];
    }),
  );
}

const tags = [
  tagDistribution("environment", [["production", 57, 4 * DAY + 9 * HOUR, 31 * MIN]]),
  tagDistribution("release", [[REL.version, 57, 4 * DAY + 9 * HOUR, 31 * MIN]]),
  tagDistribution("payment_method.type", [["sepa_debit", 57, 4 * DAY + 9 * HOUR, 31 * MIN]]),
  tagDistribution("transaction", [["renewals", 57, 4 * DAY + 9 * HOUR, 31 * MIN]]),
  tagDistribution("server_name", [
    ["billing-worker-5b7d9c6f8-2kqzn", 31, 4 * DAY + 9 * HOUR, 31 * MIN],
    ["billing-worker-5b7d9c6f8-h7xwp", 26, 4 * DAY + 8 * HOUR, 2 * HOUR],
  ]),
];

const suspect = sentryCommit(repo, 2, "71");

export const s02: CorpusScenario = {
  name: "s02-node-missing-guard",
  story:
    "Renewal jobs in billing-worker fail with TypeError: Cannot read properties of undefined (reading " +
    "'brand') in buildRenewalReceipt (src/services/receipts.ts), since billing-service@4.2.0. Every event has " +
    "payment_method.type=sepa_debit; card renewals still succeed (log 'subscription renewed'). The line that " +
    "throws is `sub.paymentMethod.card!.brand`: since #71 PaymentMethod.card is only set for card payments, and " +
    "#88 ('receipts: show which card paid for the renewal'), shipped in 4.2.0 and named by Sentry as the suspect " +
    "commit, reads it with a non-null assertion. The charge has already gone through, so customers are charged " +
    "but get no receipt. The fix is in buildRenewalReceipt: describe SEPA mandates (sepaDebit.last4) and guard the " +
    "card case. Main has moved on since the release (#91 added a VAT line), so line numbers differ at HEAD.",
  issue: SHORT,
  repos: [repo],
  expected: {
    verdict: "in_app",
    repo: REPO,
    file: "src/services/receipts.ts",
    function: "buildRenewalReceipt",
    introducedBy: { repo: REPO, commit: 2 },
  },
  sentry: {
    organization: organization(),
    projects: [projectJson(BILLING, REL.version)],
    issues: [
      {
        issue: issueDetails({
          id: ISSUE,
          shortId: SHORT,
          project: BILLING,
          title: TITLE,
          culprit: "buildRenewalReceipt(src/services/receipts)",
          platform: "node",
          metadata: {
            type: "TypeError",
            value: "Cannot read properties of undefined (reading 'brand')",
            filename: "src/services/receipts.ts",
            function: "buildRenewalReceipt",
            in_app_frame_mix: "mixed",
          },
          substatus: "ongoing",
          count: 57,
          userCount: 57,
          firstSeenMs: EVENTS[0]!.ms,
          lastSeenMs: EVENTS[1]!.ms,
          firstRelease: releaseStub(REL),
          lastRelease: releaseStub(REL),
          tagDistributions: tags,
        }),
        events: chainEvents(EVENTS.map(renewalEvent)),
        tags,
      },
    ],
    logs: logs(),
    ...releasesOf([REL]),
    committers: Object.fromEntries(
      EVENTS.map((e) => [e.id, committersPayload(suspect, "via SCM integration")] as const),
    ),
  },
};
