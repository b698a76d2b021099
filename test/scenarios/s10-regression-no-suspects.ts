import type { Json } from "../../src/sandbox/scenario.ts";
import {
  ago,
  breadcrumb,
  breadcrumbsEntry,
  chainEvents,
  code,
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
  requestEntry,
  sourceFrame,
  tagDistribution,
} from "./builders.ts";
import type { CorpusScenario, RepoSpec } from "./types.ts";

/**
 * S10: cross-currency transfers out of KRW and HUF wallets fail an internal invariant (creditMinor must be
 * positive). The assert is right; #540, one of four commits in wallet-api@3.8.0, started converting with the
 * two-decimal display rate, which is 0.00 for currencies worth less than half a cent. Sentry has no suspect
 * commits for this issue; only the release's commit list and the git history connect it to #540.
 */

const WALLET: ProjectDef = { id: 4601, slug: "wallet-api", platform: "node" };
const REPO = "acme/wallet-service";

const YUKI = { author: "Yuki Tanaka", email: "yuki.tanaka@acme.shop" };
const ROSA = { author: "Rosa Martins", email: "rosa.martins@acme.shop" };
const GREG = { author: "Greg Wilson", email: "greg.wilson@acme.shop" };
const DEPENDABOT = { author: "dependabot[bot]", email: "49699333+dependabot[bot]@users.noreply.github.com" };

const pkg = (pino: string) =>
  code(`
{
  "name": "@acme/wallet-service",
  "private": true,
  "version": "3.8.0",
  "scripts": {
    "start": "node --enable-source-maps dist/server.js",
    "build": "tsc -p ."
  },
  "dependencies": {
    "@sentry/node": "^9.30.0",
    "express": "^5.1.0",
    "pg": "^8.13.1",
    "pino": "${pino}",
    "pino-http": "^10.3.0"
  },
  "devDependencies": {
    "@types/express": "^5.0.0",
    "typescript": "^5.6.3"
  }
}
`);

const readmeV0 = code(`
# wallet-service

Customer wallets and transfers between them, including cross-currency transfers at the market rate.

    npm run build && npm start
`);

const readmeV2 = code(`
# wallet-service

Customer wallets and transfers between them, including cross-currency transfers at the market rate.

    npm run build && npm start

## Transfer limits

| Currency | Per transfer | Per day   |
| -------- | ------------ | --------- |
| EUR      | 5,000        | 10,000    |
| USD      | 5,000        | 10,000    |
| HUF      | 2,000,000    | 4,000,000 |
| KRW      | 7,000,000    | 14,000,000|

Limits are enforced by the ledger, not by this service.
`);

const server = code(`
import * as Sentry from "@sentry/node";
import express from "express";
import pinoHttp from "pino-http";
import { transfers } from "./routes/transfers";

Sentry.init({
  dsn: process.env.SENTRY_DSN,
  release: process.env.RELEASE,
  environment: process.env.APP_ENV ?? "development",
  tracesSampleRate: 0.5,
});

const app = express();
app.use(express.json());
app.use(pinoHttp());
app.use(transfers);
Sentry.setupExpressErrorHandler(app);
app.use((_err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
  res.status(500).json({ error: "transfer failed" });
});

app.listen(Number(process.env.PORT ?? 8080));
`);

const assertV0 = code(`
/** An internal consistency check failed: a bug, not bad input. Reported as a 500. */
export class InvariantViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvariantViolation";
  }
}

export function assertPositive(value: number, name: string): number {
  if (!(value > 0)) throw new InvariantViolation(name + " must be positive");
  return value;
}

export function assertInteger(value: number, name: string): number {
  if (!Number.isInteger(value)) throw new InvariantViolation(name + " must be an integer");
  return value;
}
`);

const assertV4 = code(`
/** An internal consistency check failed: a bug, not bad input. Reported as a 500. */
export class InvariantViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvariantViolation";
  }
}

export function assertPositive(value: number, name: string): number {
  if (!(value > 0)) throw new InvariantViolation(name + " must be positive, got " + String(value));
  return value;
}

export function assertInteger(value: number, name: string): number {
  if (!Number.isInteger(value)) throw new InvariantViolation(name + " must be an integer, got " + String(value));
  return value;
}
`);

const currenciesV0 = code(`
/** ISO 4217 minor-unit exponents of the currencies wallets can hold. */
const EXPONENTS: Record<string, number> = {
  EUR: 2,
  GBP: 2,
  USD: 2,
};

export function exponentOf(currency: string): number {
  const exponent = EXPONENTS[currency];
  if (exponent === undefined) throw new Error("unsupported currency " + currency);
  return exponent;
}
`);

const currenciesV1 = edit(currenciesV0, "  GBP: 2,\n", "  GBP: 2,\n  HUF: 2,\n  KRW: 0,\n");

const rates = code(`
const RATES_URL = process.env.RATES_URL ?? "http://fx-rates.internal";
const MAX_AGE_MS = 60_000;
const cache = new Map<string, { rate: number; fetchedAt: number }>();

/** Mid-market rate: units of \`to\` per unit of \`from\`. */
export async function marketRate(from: string, to: string): Promise<number> {
  const key = from + "->" + to;
  const hit = cache.get(key);
  if (hit && Date.now() - hit.fetchedAt < MAX_AGE_MS) return hit.rate;
  const res = await fetch(RATES_URL + "/v1/rates?base=" + from + "&quote=" + to);
  if (!res.ok) throw new Error("fx-rates answered HTTP " + res.status);
  const { rate } = (await res.json()) as { rate: number };
  cache.set(key, { rate, fetchedAt: Date.now() });
  return rate;
}
`);

const quoteV0 = code(`
import { assertPositive } from "../lib/assert";
import { exponentOf } from "./currencies";

export interface Quote {
  from: string;
  to: string;
  rate: number;
  debitMinor: number;
  creditMinor: number;
}

export function quoteTransfer(debitMinor: number, from: string, to: string, rate: number): Quote {
  const scale = 10 ** (exponentOf(to) - exponentOf(from));
  const creditMinor = assertPositive(Math.round(debitMinor * rate * scale), "creditMinor");
  return { from, to, rate, debitMinor, creditMinor };
}
`);

const quoteV3 = code(`
import { assertPositive } from "../lib/assert";
import { exponentOf } from "./currencies";

export interface Quote {
  from: string;
  to: string;
  rate: number;
  debitMinor: number;
  creditMinor: number;
}

/** The rate as the confirmation screen shows it: two decimals. */
function displayRate(rate: number): number {
  return Math.round(rate * 100) / 100;
}

/** Converts with the displayed rate, so the credited amount matches what the customer confirmed. */
export function quoteTransfer(debitMinor: number, from: string, to: string, marketRate: number): Quote {
  const rate = displayRate(marketRate);
  const scale = 10 ** (exponentOf(to) - exponentOf(from));
  const creditMinor = assertPositive(Math.round(debitMinor * rate * scale), "creditMinor");
  return { from, to, rate, debitMinor, creditMinor };
}
`);

const wallets = code(`
import { Pool } from "pg";
import type { Quote } from "../fx/quote";

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });

export interface Wallet {
  id: string;
  customerId: string;
  currency: string;
}

export async function loadWallet(id: string): Promise<Wallet> {
  const { rows } = await pool.query("SELECT id, customer_id, currency FROM wallets WHERE id = $1", [id]);
  if (!rows[0]) throw new Error("wallet " + id + " not found");
  return { id: rows[0].id, customerId: rows[0].customer_id, currency: rows[0].currency };
}

export async function debitAndCredit(fromId: string, toId: string, quote: Quote): Promise<{ transferId: string }> {
  const { rows } = await pool.query("SELECT transfer_funds($1, $2, $3, $4, $5) AS id", [
    fromId,
    toId,
    quote.debitMinor,
    quote.creditMinor,
    quote.rate,
  ]);
  return { transferId: rows[0].id };
}
`);

const service = code(`
import * as Sentry from "@sentry/node";
import { debitAndCredit, loadWallet } from "../db/wallets";
import { quoteTransfer } from "../fx/quote";
import { marketRate } from "../fx/rates";

export interface TransferRequest {
  fromWallet: string;
  toWallet: string;
  amountMinor: number;
}

export async function createTransfer(req: TransferRequest): Promise<{ transferId: string }> {
  const [from, to] = await Promise.all([loadWallet(req.fromWallet), loadWallet(req.toWallet)]);
  Sentry.setTag("fx.pair", from.currency + "->" + to.currency);
  const rate = from.currency === to.currency ? 1 : await marketRate(from.currency, to.currency);
  const quote = quoteTransfer(req.amountMinor, from.currency, to.currency, rate);
  return debitAndCredit(from.id, to.id, quote);
}
`);

const routeV0 = code(`
import { Router } from "express";
import { createTransfer } from "../services/transfers";

export const transfers = Router();

transfers.post("/v1/transfers", async function postTransfer(req, res) {
  const { fromWallet, toWallet, amountMinor } = req.body ?? {};
  if (typeof fromWallet !== "string" || typeof toWallet !== "string" || !Number.isInteger(amountMinor)) {
    res.status(400).json({ error: "fromWallet, toWallet and an integer amountMinor are required" });
    return;
  }
  const transfer = await createTransfer({ fromWallet, toWallet, amountMinor });
  res.status(201).json(transfer);
});
`);

const routeV4 = code(`
import { Router } from "express";
import { createTransfer } from "../services/transfers";

export const transfers = Router();

transfers.post("/v1/transfers", async function postTransfer(req, res) {
  const { fromWallet, toWallet, amountMinor } = req.body ?? {};
  const missing = [
    typeof fromWallet !== "string" && "fromWallet",
    typeof toWallet !== "string" && "toWallet",
    !(Number.isInteger(amountMinor) && amountMinor > 0) && "amountMinor",
  ].filter(Boolean);
  if (missing.length > 0) {
    res.status(400).json({ error: "invalid request", fields: missing });
    return;
  }
  const transfer = await createTransfer({ fromWallet, toWallet, amountMinor });
  res.status(201).json(transfer);
});
`);

const repo: RepoSpec = {
  name: REPO,
  projects: [WALLET.slug],
  commits: [
    {
      ...GREG,
      message: "wallet-service: wallets and cross-currency transfers",
      date: daysAgo(62),
      files: {
        "package.json": pkg("^9.4.0"),
        "README.md": readmeV0,
        "src/server.ts": server,
        "src/lib/assert.ts": assertV0,
        "src/fx/currencies.ts": currenciesV0,
        "src/fx/rates.ts": rates,
        "src/fx/quote.ts": quoteV0,
        "src/db/wallets.ts": wallets,
        "src/services/transfers.ts": service,
        "src/routes/transfers.ts": routeV0,
      },
    },
    {
      ...YUKI,
      message: "wallets: HUF and KRW wallets (#531)",
      date: daysAgo(27),
      files: { "src/fx/currencies.ts": currenciesV1 },
    },
    {
      ...GREG,
      message: "docs: per-currency transfer limits (#537)",
      date: daysAgo(6.1),
      files: { "README.md": readmeV2 },
    },
    {
      ...ROSA,
      message:
        "fx: credit the amount the customer confirmed (#540)\n\nThe confirmation screen shows the rate with two decimals; convert with that same rate so support stops getting 'you credited 3 cents less than you showed me' tickets.",
      date: daysAgo(5.6),
      files: { "src/fx/quote.ts": quoteV3 },
    },
    {
      ...YUKI,
      message:
        "errors: include the offending value in invariant messages; list invalid fields in 400s (#545)",
      date: daysAgo(5.3),
      files: { "src/lib/assert.ts": assertV4, "src/routes/transfers.ts": routeV4 },
    },
    {
      ...DEPENDABOT,
      message: "chore(deps): bump pino from 9.4.0 to 9.5.0 (#546)",
      date: daysAgo(5.1),
      files: { "package.json": pkg("^9.5.0") },
    },
  ],
};

// ---- Sentry ----------------------------------------------------------------------------------------------

const PREV = release({
  version: "wallet-api@3.7.2",
  id: 52_100_372,
  project: WALLET,
  repo,
  repoId: "151",
  commits: [1],
  createdMs: ago(26 * DAY),
  newGroups: 0,
  lastEventMs: ago(5 * DAY),
});
const REL = release({
  version: "wallet-api@3.8.0",
  id: 52_100_380,
  project: WALLET,
  repo,
  repoId: "151",
  commits: [2, 3, 4, 5],
  createdMs: ago(5 * DAY),
  newGroups: 1,
  lastEventMs: ago(2 * MIN),
});

const ISSUE = "7400388";
const SHORT = "WALLET-API-8N";
const TITLE = "InvariantViolation: creditMinor must be positive, got 0";
const EVENTS = [
  { id: hexId("s10:event:1"), ms: ago(4 * DAY + 22 * HOUR), pair: ["KRW", "USD"], amount: 50_000 },
  { id: hexId("s10:event:2"), ms: ago(2 * DAY + 3 * HOUR), pair: ["HUF", "EUR"], amount: 1_250_000 },
  { id: hexId("s10:event:3"), ms: ago(2 * MIN), pair: ["KRW", "EUR"], amount: 120_000 },
] as const;

const app = (src: string, path: string, fn: string, at: string, colNo: number) =>
  sourceFrame({
    src,
    at,
    fn,
    filename: path,
    absPath: `/srv/wallet/${path}`,
    module: path
      .replace(/^src\//, "src.")
      .replace(/\.ts$/, "")
      .replace(/\/([^/]+)$/, ":$1"),
    colNo,
  });

function frames(): Json[] {
  return [
    app(routeV4, "src/routes/transfers.ts", "postTransfer", "await createTransfer(", 26),
    libraryFrame({
      filename: "node:internal/process/task_queues",
      absPath: "node:internal/process/task_queues",
      module: "task_queues",
      fn: "process.processTicksAndRejections",
      lineNo: 95,
      colNo: 5,
    }),
    app(service, "src/services/transfers.ts", "createTransfer", "const quote = quoteTransfer(", 17),
    app(quoteV3, "src/fx/quote.ts", "quoteTransfer", "const creditMinor = assertPositive(", 23),
    app(assertV4, "src/lib/assert.ts", "assertPositive", "if (!(value > 0))", 27),
  ];
}

function transferEvent(e: (typeof EVENTS)[number]): Json {
  const pair = `${e.pair[0]}->${e.pair[1]}`;
  const trace = hexId(`s10:trace:${e.id}`);
  return errorEvent({
    id: e.id,
    issueId: ISSUE,
    project: WALLET,
    platform: "node",
    title: TITLE,
    culprit: "assertPositive(src/lib/assert)",
    location: "src/lib/assert.ts",
    dateMs: e.ms,
    entries: [
      exceptionEntry([
        exceptionValue({
          type: "InvariantViolation",
          value: "creditMinor must be positive, got 0",
          mechanism: { type: "auto.middleware.express", handled: false },
          frames: frames(),
        }),
      ]),
      breadcrumbsEntry([
        breadcrumb(
          e.ms - 38,
          "query",
          "query",
          "SELECT id, customer_id, currency FROM wallets WHERE id = $1",
          {
            "db.system": "postgresql",
          },
        ),
        breadcrumb(e.ms - 31, "http", "http", null, {
          method: "GET",
          url: `http://fx-rates.internal/v1/rates?base=${e.pair[0]}&quote=${e.pair[1]}`,
          status_code: 200,
        }),
      ]),
      requestEntry({
        method: "POST",
        url: "https://wallet.acme.shop/v1/transfers",
        headers: [
          ["Content-Type", "application/json"],
          ["User-Agent", "AcmeWallet/3.1.0 (Android 15)"],
        ],
        data: { fromWallet: "[Filtered]", toWallet: "[Filtered]", amountMinor: e.amount },
        inferredContentType: "application/json",
      }),
    ],
    tags: {
      environment: "production",
      "fx.pair": pair,
      handled: "no",
      level: "error",
      mechanism: "auto.middleware.express",
      release: REL.version,
      "runtime.name": "node",
      server_name: "wallet-api-6f5d4c8b7-x9w2e",
      transaction: "POST /v1/transfers",
      url: "https://wallet.acme.shop/v1/transfers",
    },
    contexts: {
      trace: {
        trace_id: trace,
        span_id: hexId(`s10:span:${e.id}`, 16),
        op: "http.server",
        status: "internal_error",
        origin: "auto.http.otel.http",
        sampled: true,
        type: "trace",
      },
      runtime: { name: "node", version: "v20.18.1", type: "runtime" },
    },
    sdk: { name: "sentry.javascript.node", version: "9.30.0" },
    release: eventRelease(REL),
    metadata: {
      type: "InvariantViolation",
      value: "creditMinor must be positive, got 0",
      filename: "src/lib/assert.ts",
      function: "assertPositive",
      in_app_frame_mix: "mixed",
    },
  });
}

const first = 4 * DAY + 22 * HOUR;
const tags = [
  tagDistribution("environment", [["production", 529, first, 2 * MIN]]),
  tagDistribution("release", [[REL.version, 529, first, 2 * MIN]]),
  tagDistribution("fx.pair", [
    ["KRW->USD", 301, first, 9 * MIN],
    ["KRW->EUR", 141, first - HOUR, 2 * MIN],
    ["HUF->EUR", 87, 2 * DAY + 3 * HOUR, 40 * MIN],
  ]),
  tagDistribution("transaction", [["POST /v1/transfers", 529, first, 2 * MIN]]),
];

function logs(): Json[] {
  return logRows([
    ...EVENTS.map((e) => ({
      project: WALLET.slug,
      trace: hexId(`s10:trace:${e.id}`),
      ms: e.ms + 1,
      severity: "error" as const,
      message: "request errored",
      attrs: { "http.route": "/v1/transfers", "err.message": "creditMinor must be positive, got 0" },
    })),
    {
      project: WALLET.slug,
      trace: hexId("s10:trace:ok"),
      ms: ago(3 * MIN),
      severity: "info",
      message: "request completed",
      attrs: { "http.route": "/v1/transfers", "fx.pair": "EUR->USD", statusCode: 201 },
    },
  ]);
}

export const s10: CorpusScenario = {
  name: "s10-regression-no-suspects",
  story:
    "WALLET-API-8N: since wallet-api@3.8.0 (its first release), some transfers fail with InvariantViolation: " +
    "creditMinor must be positive, got 0, thrown by assertPositive (src/lib/assert.ts), a generic invariant " +
    "check that is right to reject a zero credit. Sentry shows no suspect commits (committers 404). The fx.pair " +
    "tag is always KRW or HUF into USD or EUR, currencies whose unit is worth well under half a cent; EUR->USD " +
    "transfers still succeed. Of the release's four commits, #546 (pino bump, the newest) and #537 (README) are " +
    "unrelated, and #545 touched assert.ts but only the message text. #540 ('fx: credit the amount the " +
    "customer confirmed') made quoteTransfer (src/fx/quote.ts, one frame above the assert) convert with " +
    "displayRate(), the rate rounded to two decimals: 0.00072 (KRW->USD) becomes 0.00, so creditMinor is 0. The " +
    "fix is in quoteTransfer: convert with the market rate (or enough precision) and round only for display.",
  issue: SHORT,
  repos: [repo],
  expected: {
    verdict: "in_app",
    repo: REPO,
    file: "src/fx/quote.ts",
    function: "quoteTransfer",
    introducedBy: { repo: REPO, commit: 3 },
  },
  sentry: {
    organization: organization(),
    projects: [projectJson(WALLET, REL.version)],
    issues: [
      {
        issue: issueDetails({
          id: ISSUE,
          shortId: SHORT,
          project: WALLET,
          title: TITLE,
          culprit: "assertPositive(src/lib/assert)",
          platform: "node",
          metadata: {
            type: "InvariantViolation",
            value: "creditMinor must be positive, got 0",
            filename: "src/lib/assert.ts",
            function: "assertPositive",
            in_app_frame_mix: "mixed",
          },
          substatus: "ongoing",
          count: 529,
          userCount: 203,
          firstSeenMs: ago(first),
          lastSeenMs: EVENTS[2].ms,
          firstRelease: releaseStub(REL),
          lastRelease: releaseStub(REL),
          tagDistributions: tags,
        }),
        events: chainEvents(EVENTS.map(transferEvent)),
        tags,
      },
    ],
    logs: logs(),
    ...releasesOf([PREV, REL]),
  },
};
