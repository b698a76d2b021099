import type { Json } from "../scenario.ts";
import { isoAt } from "./common.ts";
import { DEMO, PROJECT_IDS } from "./ids.ts";
import { eventRelease } from "./releases.ts";
import { timeline } from "./times.ts";

/**
 * PROFILE_C: the v1 transaction profile of ORDERS-API-7D's `GET /v1/orders`. Most samples sit in
 * `listOrders` → `loadItems` → pg's `Client.query`: the N+1 seen from the CPU side.
 */

const frame = (
  fn: string,
  path: string,
  lineno: number,
  colno: number,
  inApp: boolean,
  module?: string,
): Json => ({
  function: fn,
  filename: path.replace(/^\/app\//, ""),
  abs_path: path,
  lineno,
  colno,
  in_app: inApp,
  ...(module ? { module } : {}),
  platform: "node",
});

const FRAMES: Json[] = [
  /* 0 */ frame(
    "Layer.handle [as handle_request]",
    "/app/node_modules/express/lib/router/layer.js",
    95,
    5,
    false,
    "express.lib.router:layer",
  ),
  /* 1 */ frame("getOrders", "/app/src/routes/orders.ts", 41, 24, true, "src.routes:orders"),
  /* 2 */ frame(
    "listOrders",
    "/app/src/services/order-service.ts",
    72,
    9,
    true,
    "src.services:order-service",
  ),
  /* 3 */ frame(
    "loadItems",
    "/app/src/services/order-service.ts",
    88,
    20,
    true,
    "src.services:order-service",
  ),
  /* 4 */ frame("Client.query", "/app/node_modules/pg/lib/client.js", 526, 21, false, "pg.lib:client"),
  /* 5 */ frame(
    "Parser.parse",
    "/app/node_modules/pg-protocol/dist/parser.js",
    38,
    38,
    false,
    "pg-protocol.dist:parser",
  ),
  /* 6 */ frame("Socket.emit", "node:events", 519, 28, false),
  /* 7 */ frame(
    "serializeOrder",
    "/app/src/services/order-service.ts",
    104,
    12,
    true,
    "src.services:order-service",
  ),
  /* 8 */ frame("processTicksAndRejections", "node:internal/process/task_queues", 105, 5, false),
];

/**
 * Stacks are ordered LEAF → ROOT: index 0 is the frame that was executing, the last index the outermost
 * caller. (The aggregated flamegraph format is root → leaf; this raw sample format is not.)
 */
const STACKS: number[][] = [
  /* 0: pg query from loadItems   */ [4, 3, 2, 1, 0],
  /* 1: row parsing in pg          */ [5, 4, 3, 2, 1, 0],
  /* 2: loadItems itself           */ [3, 2, 1, 0],
  /* 3: socket data for the query  */ [6, 5, 4, 3, 2, 1, 0],
  /* 4: serializing the response   */ [7, 2, 1, 0],
  /* 5: listOrders itself          */ [2, 1, 0],
  /* 6: idle microtask queue       */ [8],
];

/** 40 samples, 12ms apart; 25 of them under loadItems → Client.query. */
const SAMPLE_STACKS = [
  5, 0, 1, 0, 2, 0, 1, 3, 0, 2, 0, 1, 0, 6, 0, 1, 3, 0, 2, 0, 1, 0, 0, 6, 1, 3, 0, 2, 0, 1, 0, 0, 2, 6, 4, 4,
  5, 4, 6, 4,
];
const INTERVAL_NS = 12_000_000;

export function profiles(now: number): Record<string, Json> {
  const t = timeline(now).c;
  const durationNs = (t.end - t.start) * 1_000_000;
  return {
    [DEMO.profileC]: {
      event_id: DEMO.profileC,
      profile_id: DEMO.profileC,
      project_id: PROJECT_IDS.ordersApi,
      platform: "node",
      environment: "production",
      version: "1",
      received: isoAt(t.end + 2_410),
      timestamp: isoAt(t.start),
      release: eventRelease(now, DEMO.ordersRelease),
      transaction: {
        name: "GET /v1/orders",
        id: DEMO.perfEvent,
        trace_id: DEMO.traceC,
        active_thread_id: 0,
        relative_start_ns: "0",
        relative_end_ns: String(durationNs),
      },
      device: { architecture: "x64", is_emulator: false, locale: "en_US.UTF-8", manufacturer: "", model: "" },
      os: { name: "Linux", version: "6.1.112", build_number: "#1 SMP PREEMPT_DYNAMIC" },
      runtime: { name: "node", version: "v20.18.1" },
      client_sdk: { name: "sentry.javascript.node", version: "9.30.0" },
      profile: {
        frames: FRAMES,
        stacks: STACKS,
        samples: SAMPLE_STACKS.map((stack_id, i) => ({
          stack_id,
          thread_id: 0,
          elapsed_since_start_ns: String(i * INTERVAL_NS),
        })),
        thread_metadata: { "0": { name: "main" } },
      },
    },
  };
}
