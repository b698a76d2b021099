import type { Json } from "../../src/sandbox/scenario.ts";
import {
  ago,
  breadcrumb,
  breadcrumbsEntry,
  chainEvents,
  code,
  DAY,
  daysAgo,
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
  tagDistribution,
} from "./builders.ts";
import type { CorpusScenario, RepoSpec } from "./types.ts";

/**
 * S12: the search indexer crashes with a JSON SyntaxError thrown inside the vendor's feed SDK, from a stream
 * 'end' listener: no application frame at all. The supplier's API answered an HTML 502 page during its
 * maintenance window and the SDK parses any body as JSON. Nothing in the indexer's code is at fault.
 */

const INDEXER: ProjectDef = { id: 4621, slug: "search-indexer", platform: "node" };
const REPO = "acme/search-indexer";

const FELIX = { author: "Felix Braun", email: "felix.braun@acme.shop" };
const NORA = { author: "Nora Lindgren", email: "nora.lindgren@acme.shop" };

const pkg = (withFeeds: boolean) =>
  code(`
{
  "name": "@acme/search-indexer",
  "private": true,
  "version": "1.9.3",
  "scripts": {
    "start": "node --enable-source-maps dist/index.js",
    "build": "tsc -p ."
  },
  "dependencies": {
    "@elastic/elasticsearch": "^8.16.0",
    "@sentry/node": "^9.30.0",${withFeeds ? '\n    "@supplierhub/feed-client": "^2.3.1",' : ""}
    "pino": "^9.5.0"
  },
  "devDependencies": {
    "typescript": "^5.6.3"
  }
}
`);

const config = code(`
function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(name + " is not set");
  return value;
}

export const config = {
  elasticUrl: process.env.ELASTIC_URL ?? "http://localhost:9200",
  productsIndex: process.env.PRODUCTS_INDEX ?? "products-v3",
  supplierHubUrl: process.env.SUPPLIERHUB_URL ?? "https://api.supplierhub.example",
  get supplierHubKey(): string {
    return required("SUPPLIERHUB_API_KEY");
  },
  suppliers: (process.env.SUPPLIERS ?? "").split(",").filter(Boolean),
  syncEveryMs: 15 * 60_000,
};
`);

const logger = code(`
import pino from "pino";

export const logger = pino({ level: process.env.LOG_LEVEL ?? "info" });
`);

const productsV0 = code(`
import { Client } from "@elastic/elasticsearch";
import { config } from "../config";

const elastic = new Client({ node: config.elasticUrl });

export interface ProductDoc {
  sku: string;
  title: string;
  brand: string;
  priceCents: number;
  inStock: boolean;
}

export async function indexProducts(products: ProductDoc[]): Promise<number> {
  if (products.length === 0) return 0;
  const operations = products.flatMap((p) => [{ index: { _index: config.productsIndex, _id: p.sku } }, p]);
  const result = await elastic.bulk({ operations, refresh: false });
  if (result.errors) throw new Error("bulk indexing reported errors");
  return products.length;
}
`);

const productsV2 = code(`
import { Client } from "@elastic/elasticsearch";
import { config } from "../config";
import { logger } from "../logger";

const elastic = new Client({ node: config.elasticUrl });
const BATCH = 500;

export interface ProductDoc {
  sku: string;
  title: string;
  brand: string;
  priceCents: number;
  inStock: boolean;
}

export async function indexProducts(products: ProductDoc[]): Promise<number> {
  let indexed = 0;
  for (let i = 0; i < products.length; i += BATCH) {
    const batch = products.slice(i, i + BATCH);
    const operations = batch.flatMap((p) => [{ index: { _index: config.productsIndex, _id: p.sku } }, p]);
    const result = await elastic.bulk({ operations, refresh: false });
    if (result.errors) {
      const failed = result.items.filter((item) => item.index?.error).length;
      logger.warn({ failed, batch: batch.length }, "some documents were rejected");
    }
    indexed += batch.length;
  }
  return indexed;
}
`);

const sync = code(`
import { FeedClient, type SupplierFeed } from "@supplierhub/feed-client";
import { config } from "../config";
import { indexProducts, type ProductDoc } from "../indexer/products";
import { logger } from "../logger";

const client = new FeedClient({ baseUrl: config.supplierHubUrl, apiKey: config.supplierHubKey });
const lastSync = new Map<string, string>();

function toDoc(item: SupplierFeed["items"][number]): ProductDoc {
  return {
    sku: item.gtin,
    title: item.name,
    brand: item.brand ?? "",
    priceCents: Math.round(item.price.amount * 100),
    inStock: item.availability === "in_stock",
  };
}

function fetchFeed(supplierId: string): Promise<SupplierFeed> {
  return new Promise((resolve, reject) => {
    client.fetchFeed(supplierId, { since: lastSync.get(supplierId) }, (err, feed) => {
      if (err) reject(err);
      else resolve(feed);
    });
  });
}

export async function syncSupplier(supplierId: string): Promise<void> {
  logger.info({ supplierId }, "syncing supplier feed");
  const feed = await fetchFeed(supplierId);
  const count = await indexProducts(feed.items.map(toDoc));
  lastSync.set(supplierId, feed.generatedAt);
  logger.info({ supplierId, count }, "supplier feed indexed");
}
`);

const indexV0 = code(`
import * as Sentry from "@sentry/node";
import { logger } from "./logger";

Sentry.init({
  dsn: process.env.SENTRY_DSN,
  release: process.env.RELEASE,
  environment: process.env.APP_ENV ?? "development",
});

logger.info("search-indexer started; nothing to sync yet");
`);

const indexV1 = code(`
import * as Sentry from "@sentry/node";
import { config } from "./config";
import { syncSupplier } from "./feeds/sync";
import { logger } from "./logger";

Sentry.init({
  dsn: process.env.SENTRY_DSN,
  release: process.env.RELEASE,
  environment: process.env.APP_ENV ?? "development",
});

async function syncAll(): Promise<void> {
  for (const supplierId of config.suppliers) {
    try {
      await syncSupplier(supplierId);
    } catch (err) {
      Sentry.captureException(err, { tags: { supplier: supplierId } });
      logger.error({ err, supplierId }, "supplier sync failed");
    }
  }
}

logger.info({ suppliers: config.suppliers.length }, "search-indexer started");
syncAll();
setInterval(syncAll, config.syncEveryMs);
`);

const repo: RepoSpec = {
  name: REPO,
  projects: [INDEXER.slug],
  commits: [
    {
      ...FELIX,
      message: "search-indexer: index products into Elasticsearch",
      date: daysAgo(101),
      files: {
        "package.json": pkg(false),
        "src/config.ts": config,
        "src/logger.ts": logger,
        "src/index.ts": indexV0,
        "src/indexer/products.ts": productsV0,
      },
    },
    {
      ...NORA,
      message: "feeds: sync SupplierHub catalogues every 15 minutes (#61)",
      date: daysAgo(31),
      files: { "package.json": pkg(true), "src/feeds/sync.ts": sync, "src/index.ts": indexV1 },
    },
    {
      ...FELIX,
      message: "indexer: bulk requests of 500 documents, log rejected docs instead of failing (#64)",
      date: daysAgo(15),
      files: { "src/indexer/products.ts": productsV2 },
    },
  ],
};

// ---- Sentry ----------------------------------------------------------------------------------------------

const REL = release({
  version: "search-indexer@1.9.3",
  id: 52_300_193,
  project: INDEXER,
  repo,
  repoId: "171",
  commits: [2],
  createdMs: ago(14 * DAY),
  newGroups: 0,
  lastEventMs: ago(25 * MIN),
});

const ISSUE = "7420064";
const SHORT = "SEARCH-INDEXER-Q";
const VALUE = `Unexpected token '<', "<!DOCTYPE "... is not valid JSON`;
const TITLE = `SyntaxError: ${VALUE}`;
const SDK_FILE = "/app/node_modules/@supplierhub/feed-client/dist/transport.js";
const EVENTS = [
  { id: hexId("s12:event:1"), ms: ago(6 * HOUR + 40 * MIN), supplier: "sup_nordic_outdoor" },
  { id: hexId("s12:event:2"), ms: ago(25 * MIN), supplier: "sup_alpine_gear" },
];

function frames(): Json[] {
  const node = (file: string, module: string, fn: string, lineNo: number, colNo: number) =>
    libraryFrame({ filename: file, absPath: file, module, fn, lineNo, colNo });
  const sdk = (fn: string, lineNo: number, colNo: number) =>
    libraryFrame({
      filename: SDK_FILE,
      absPath: SDK_FILE,
      module: "@supplierhub.feed-client.dist:transport",
      fn,
      lineNo,
      colNo,
    });
  return [
    node("node:internal/process/task_queues", "task_queues", "process.processTicksAndRejections", 82, 21),
    node("node:internal/streams/readable", "readable", "endReadableNT", 1698, 12),
    node("node:events", "events", "IncomingMessage.emit", 531, 35),
    sdk("IncomingMessage.<anonymous>", 88, 26),
    sdk("parseBody", 41, 17),
    libraryFrame({ filename: "<anonymous>", absPath: "<anonymous>", fn: "JSON.parse", lineNo: null }),
  ];
}

function crashEvent(e: (typeof EVENTS)[number]): Json {
  const url = `https://api.supplierhub.example/v2/feeds/${e.supplier}?since=2026-11-28T10%3A45%3A00Z`;
  return errorEvent({
    id: e.id,
    issueId: ISSUE,
    project: INDEXER,
    platform: "node",
    title: TITLE,
    culprit: "parseBody(@supplierhub.feed-client.dist:transport)",
    location: SDK_FILE,
    dateMs: e.ms,
    entries: [
      exceptionEntry([
        exceptionValue({
          type: "SyntaxError",
          value: VALUE,
          mechanism: { type: "auto.node.onuncaughtexception", handled: false },
          frames: frames(),
        }),
      ]),
      breadcrumbsEntry([
        breadcrumb(e.ms - 15 * MIN, "default", "console", "supplier feed indexed", {
          supplierId: "sup_city_bikes",
          count: 1_284,
        }),
        breadcrumb(e.ms - 1_900, "default", "console", "syncing supplier feed", { supplierId: e.supplier }),
        breadcrumb(e.ms - 3, "http", "http", null, { method: "GET", url, status_code: 502 }, "error"),
      ]),
    ],
    tags: {
      environment: "production",
      handled: "no",
      level: "fatal",
      mechanism: "auto.node.onuncaughtexception",
      release: REL.version,
      "runtime.name": "node",
      server_name: "search-indexer-0",
    },
    contexts: {
      trace: {
        trace_id: hexId(`s12:trace:${e.id}`),
        span_id: hexId(`s12:span:${e.id}`, 16),
        op: "default",
        status: "unknown",
        sampled: false,
        type: "trace",
      },
      runtime: { name: "node", version: "v20.18.1", type: "runtime" },
    },
    sdk: { name: "sentry.javascript.node", version: "9.30.0" },
    release: eventRelease(REL),
    metadata: {
      type: "SyntaxError",
      value: VALUE,
      filename: SDK_FILE,
      function: "parseBody",
      in_app_frame_mix: "system-only",
    },
  });
}

const tags = [
  tagDistribution("environment", [["production", 23, 6 * HOUR + 40 * MIN, 25 * MIN]]),
  tagDistribution("release", [[REL.version, 23, 6 * HOUR + 40 * MIN, 25 * MIN]]),
  tagDistribution("server_name", [["search-indexer-0", 23, 6 * HOUR + 40 * MIN, 25 * MIN]]),
  tagDistribution("level", [["fatal", 23, 6 * HOUR + 40 * MIN, 25 * MIN]]),
];

export const s12: CorpusScenario = {
  name: "s12-library-only-stack",
  story:
    `SEARCH-INDEXER-Q: the indexer process crashes (fatal, uncaught) with SyntaxError: ${VALUE}. Every frame ` +
    "is Node internals or the vendor SDK @supplierhub/feed-client (node_modules/.../dist/transport.js): " +
    "JSON.parse in parseBody, called from the SDK's own 'end' listener on the HTTP response. No application " +
    "frame is present, and because the throw happens inside an event listener the indexer's try/catch around " +
    "syncSupplier cannot catch it. The breadcrumb just before the crash is GET api.supplierhub.example/v2/feeds/... " +
    "answered 502. The events cluster in SupplierHub's maintenance windows (6 h ago, 25 min ago), and the " +
    "indexer has not been deployed for two weeks. The SDK parses error pages as JSON without checking the status " +
    "or content type. This is a third-party defect, to report upstream or work around by upgrading or pinning " +
    "the SDK; there is no culprit line in acme/search-indexer.",
  issue: SHORT,
  repos: [repo],
  expected: { verdict: "third_party" },
  sentry: {
    organization: organization(),
    projects: [projectJson(INDEXER, REL.version)],
    issues: [
      {
        issue: issueDetails({
          id: ISSUE,
          shortId: SHORT,
          project: INDEXER,
          title: TITLE,
          culprit: "parseBody(@supplierhub.feed-client.dist:transport)",
          platform: "node",
          level: "fatal",
          metadata: {
            type: "SyntaxError",
            value: VALUE,
            filename: SDK_FILE,
            function: "parseBody",
            in_app_frame_mix: "system-only",
          },
          count: 23,
          userCount: 0,
          firstSeenMs: EVENTS[0]!.ms,
          lastSeenMs: EVENTS[1]!.ms,
          firstRelease: releaseStub(REL),
          lastRelease: releaseStub(REL),
          tagDistributions: tags,
        }),
        events: chainEvents(EVENTS.map(crashEvent)),
        tags,
      },
    ],
    logs: logRows(
      EVENTS.flatMap((e) => [
        {
          project: INDEXER.slug,
          trace: hexId(`s12:trace:${e.id}`),
          ms: e.ms - 1_900,
          severity: "info" as const,
          message: "syncing supplier feed",
          attrs: { supplierId: e.supplier },
        },
        {
          project: INDEXER.slug,
          trace: hexId(`s12:trace:boot:${e.id}`),
          ms: e.ms + 14 * SEC,
          severity: "info" as const,
          message: "search-indexer started",
          attrs: { pid: 1 },
        },
      ]),
    ),
    ...releasesOf([REL]),
  },
};
