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
  errorEvent,
  eventRelease,
  exceptionEntry,
  exceptionValue,
  HOUR,
  hexId,
  issueDetails,
  libraryFrame,
  MIN,
  organization,
  type ProjectDef,
  projectJson,
  release,
  releaseStub,
  releasesOf,
  requestEntry,
  SEC,
  sentryCommit,
  sourceFrame,
  tagDistribution,
} from "./builders.ts";
import type { CorpusScenario, RepoSpec } from "./types.ts";

/**
 * S09: a minified browser error, resolved through uploaded source maps to src/cart/totals.ts. The tiered
 * promotion added in #418 assumes the cart always reaches the lowest tier.
 */

const WEB: ProjectDef = { id: 4591, slug: "shop-web", platform: "javascript-react" };
const REPO = "acme/shop-web";

const CLARA = { author: "Clara Jensen", email: "clara.jensen@acme.shop" };
const LUIS = { author: "Luis Moreno", email: "luis.moreno@acme.shop" };

const pkg = (extraDev: string) =>
  code(`
{
  "name": "@acme/shop-web",
  "private": true,
  "version": "2026.11.24",
  "type": "module",
  "scripts": {
    "dev": "vite",
    "build": "tsc -b && vite build"
  },
  "dependencies": {
    "@sentry/react": "^9.30.0",
    "react": "^18.3.1",
    "react-dom": "^18.3.1"
  },
  "devDependencies": {${extraDev}
    "@vitejs/plugin-react": "^4.3.4",
    "typescript": "^5.6.3",
    "vite": "^6.0.3"
  }
}
`);

const viteConfigV0 = code(`
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [react()],
  build: {
    assetsDir: "assets",
  },
});
`);

const viteConfigV3 = code(`
import { sentryVitePlugin } from "@sentry/vite-plugin";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [
    react(),
    sentryVitePlugin({
      org: "acme",
      project: "shop-web",
      release: { name: process.env.RELEASE },
      sourcemaps: { filesToDeleteAfterUpload: ["dist/**/*.map"] },
    }),
  ],
  build: {
    assetsDir: "assets",
    sourcemap: "hidden",
  },
});
`);

const main = code(`
import * as Sentry from "@sentry/react";
import { createRoot } from "react-dom/client";
import { CartPage } from "./cart/CartPage";

Sentry.init({
  dsn: import.meta.env.VITE_SENTRY_DSN,
  release: import.meta.env.VITE_RELEASE,
  environment: import.meta.env.MODE,
  integrations: [Sentry.rewriteFramesIntegration({ prefix: "app:///" })],
});

createRoot(document.getElementById("root")!).render(<CartPage />);
`);

const typesV0 = code(`
export interface CartLine {
  sku: string;
  name: string;
  quantity: number;
  /** Cents. */
  unitPrice: number;
}

export interface Cart {
  id: string;
  lines: CartLine[];
}

export interface PercentPromotion {
  kind: "percent";
  code: string;
  percent: number;
}

export type Promotion = PercentPromotion;

export interface Totals {
  subtotal: number;
  discount: number;
  shipping: number;
  total: number;
}
`);

const typesV2 = code(`
export interface CartLine {
  sku: string;
  name: string;
  quantity: number;
  /** Cents. */
  unitPrice: number;
}

export interface Cart {
  id: string;
  lines: CartLine[];
}

export interface PercentPromotion {
  kind: "percent";
  code: string;
  percent: number;
}

/** "Spend €50, save €5; spend €100, save €15": tiers sorted by minSubtotal, ascending. */
export interface TieredPromotion {
  kind: "tiered";
  code: string;
  tiers: Array<{ minSubtotal: number; amount: number }>;
}

export type Promotion = PercentPromotion | TieredPromotion;

export interface Totals {
  subtotal: number;
  discount: number;
  shipping: number;
  total: number;
}
`);

const money = code(`
const eur = new Intl.NumberFormat("de-DE", { style: "currency", currency: "EUR" });

export function formatCents(cents: number): string {
  return eur.format(cents / 100);
}
`);

const promotionsV0 = code(`
import * as Sentry from "@sentry/react";
import type { Promotion } from "./types";

export async function fetchPromotion(code: string): Promise<Promotion | null> {
  const res = await fetch("/api/promotions/" + encodeURIComponent(code));
  if (res.status === 404) return null;
  if (!res.ok) throw new Error("promotion lookup failed: HTTP " + res.status);
  const promo = (await res.json()) as Promotion;
  Sentry.setTag("promo", promo.code);
  console.info("[promo] applied", promo.code, promo.kind);
  return promo;
}
`);

const totalsV0 = code(`
import type { Cart, Promotion, Totals } from "./types";

const SHIPPING_FEE = 495;

export function subtotalOf(cart: Cart): number {
  return cart.lines.reduce((sum, line) => sum + line.unitPrice * line.quantity, 0);
}

export function computeTotals(cart: Cart, promo: Promotion | null): Totals {
  const subtotal = subtotalOf(cart);
  const discount = promo ? Math.round((subtotal * promo.percent) / 100) : 0;
  const shipping = SHIPPING_FEE;
  return { subtotal, discount, shipping, total: subtotal - discount + shipping };
}
`);

const totalsV1 = code(`
import type { Cart, Promotion, Totals } from "./types";

/** Orders of €49 or more (after discounts) ship free. */
const FREE_SHIPPING_FROM = 4_900;
const SHIPPING_FEE = 495;

export function subtotalOf(cart: Cart): number {
  return cart.lines.reduce((sum, line) => sum + line.unitPrice * line.quantity, 0);
}

export function computeTotals(cart: Cart, promo: Promotion | null): Totals {
  const subtotal = subtotalOf(cart);
  const discount = promo ? Math.round((subtotal * promo.percent) / 100) : 0;
  const shipping = subtotal - discount >= FREE_SHIPPING_FROM ? 0 : SHIPPING_FEE;
  return { subtotal, discount, shipping, total: subtotal - discount + shipping };
}
`);

const totalsV2 = code(`
import type { Cart, Promotion, Totals } from "./types";

/** Orders of €49 or more (after discounts) ship free. */
const FREE_SHIPPING_FROM = 4_900;
const SHIPPING_FEE = 495;

export function subtotalOf(cart: Cart): number {
  return cart.lines.reduce((sum, line) => sum + line.unitPrice * line.quantity, 0);
}

export function computeTotals(cart: Cart, promo: Promotion | null): Totals {
  const subtotal = subtotalOf(cart);
  let discount = 0;
  if (promo?.kind === "percent") {
    discount = Math.round((subtotal * promo.percent) / 100);
  } else if (promo?.kind === "tiered") {
    // Highest tier the cart reaches.
    const tier = [...promo.tiers].reverse().find((t) => subtotal >= t.minSubtotal)!;
    discount = tier.amount;
  }
  const shipping = subtotal - discount >= FREE_SHIPPING_FROM ? 0 : SHIPPING_FEE;
  return { subtotal, discount, shipping, total: subtotal - discount + shipping };
}
`);

const cartSummary = code(`
import { formatCents } from "../lib/money";
import { computeTotals } from "./totals";
import type { Cart, Promotion } from "./types";

interface Props {
  cart: Cart;
  promo: Promotion | null;
}

export function CartSummary({ cart, promo }: Props) {
  const totals = computeTotals(cart, promo);
  return (
    <section className="cart-summary">
      <dl>
        <dt>Subtotal</dt>
        <dd>{formatCents(totals.subtotal)}</dd>
        {totals.discount > 0 && (
          <>
            <dt>Discount ({promo?.code})</dt>
            <dd>−{formatCents(totals.discount)}</dd>
          </>
        )}
        <dt>Shipping</dt>
        <dd>{totals.shipping === 0 ? "Free" : formatCents(totals.shipping)}</dd>
        <dt>Total</dt>
        <dd className="cart-summary__total">{formatCents(totals.total)}</dd>
      </dl>
    </section>
  );
}
`);

const cartPage = code(`
import { useEffect, useState } from "react";
import { CartSummary } from "./CartSummary";
import { fetchPromotion } from "./promotions";
import type { Cart, Promotion } from "./types";

function loadCart(): Cart {
  const saved = localStorage.getItem("cart");
  return saved ? (JSON.parse(saved) as Cart) : { id: crypto.randomUUID(), lines: [] };
}

export function CartPage() {
  const [cart, setCart] = useState<Cart>(loadCart);
  const [promo, setPromo] = useState<Promotion | null>(null);

  useEffect(() => {
    localStorage.setItem("cart", JSON.stringify(cart));
  }, [cart]);

  function changeQuantity(sku: string, delta: number) {
    setCart((current) => ({
      ...current,
      lines: current.lines
        .map((line) => (line.sku === sku ? { ...line, quantity: line.quantity + delta } : line))
        .filter((line) => line.quantity > 0),
    }));
  }

  async function applyCode(form: FormData) {
    setPromo(await fetchPromotion(String(form.get("code") ?? "")));
  }

  return (
    <main className="cart">
      <ul>
        {cart.lines.map((line) => (
          <li key={line.sku}>
            {line.name}
            <button type="button" className="qty-decrement" onClick={() => changeQuantity(line.sku, -1)}>
              −
            </button>
            {line.quantity}
            <button type="button" className="qty-increment" onClick={() => changeQuantity(line.sku, 1)}>
              +
            </button>
          </li>
        ))}
      </ul>
      <form action={applyCode}>
        <input name="code" placeholder="Promo code" />
        <button type="submit">Apply</button>
      </form>
      <CartSummary cart={cart} promo={promo} />
    </main>
  );
}
`);

const repo: RepoSpec = {
  name: REPO,
  projects: [WEB.slug],
  commits: [
    {
      ...CLARA,
      message: "shop-web: cart page with promo codes",
      date: daysAgo(48),
      files: {
        "package.json": pkg(""),
        "vite.config.ts": viteConfigV0,
        "index.html":
          '<!doctype html>\n<html lang="de">\n  <body>\n    <div id="root"></div>\n    <script type="module" src="/src/main.tsx"></script>\n  </body>\n</html>\n',
        "src/main.tsx": main,
        "src/lib/money.ts": money,
        "src/cart/types.ts": typesV0,
        "src/cart/promotions.ts": promotionsV0,
        "src/cart/totals.ts": totalsV0,
        "src/cart/CartSummary.tsx": cartSummary,
        "src/cart/CartPage.tsx": cartPage,
      },
    },
    {
      ...LUIS,
      message: "cart: free shipping from €49 (#401)",
      date: daysAgo(20),
      files: { "src/cart/totals.ts": totalsV1 },
    },
    {
      ...CLARA,
      message: "promotions: tiered discounts - spend €50 save €5, spend €100 save €15 (#418)",
      date: daysAgo(4.2),
      files: { "src/cart/types.ts": typesV2, "src/cart/totals.ts": totalsV2 },
    },
    {
      ...LUIS,
      message: "build: upload hidden source maps to Sentry on release (#420)",
      date: daysAgo(3.9),
      files: {
        "vite.config.ts": viteConfigV3,
        "package.json": pkg('\n    "@sentry/vite-plugin": "^2.22.7",'),
      },
    },
  ],
};

// ---- Sentry ----------------------------------------------------------------------------------------------

const REL = release({
  version: "shop-web@2026.11.24",
  id: 52_000_124,
  project: WEB,
  repo,
  repoId: "141",
  commits: [2, 3],
  createdMs: ago(3 * DAY + 20 * HOUR),
  newGroups: 1,
  lastEventMs: ago(5 * MIN),
});

const ISSUE = "7390175";
const SHORT = "SHOP-WEB-1Z";
const TITLE = "TypeError: Cannot read properties of undefined (reading 'amount')";
const BUNDLE = "https://cdn.acme.shop/assets/main.4f2a1c.js";
const VENDOR = "https://cdn.acme.shop/assets/vendor.91be3d.js";
const EVENTS = [
  {
    id: hexId("s09:event:1"),
    ms: ago(3 * DAY + 16 * HOUR),
    browser: ["Safari", "18.1"],
    os: ["iOS", "18.1"],
  },
  { id: hexId("s09:event:2"), ms: ago(5 * MIN), browser: ["Chrome", "131.0.0"], os: ["Windows", "10"] },
] as const;

function mapped(src: string, path: string, fn: string, at: string, colNo: number): Json {
  return {
    ...sourceFrame({
      src,
      at,
      fn,
      filename: `app:///${path}`,
      absPath: `app:///${path}`,
      module: path,
      colNo,
    }),
    mapUrl: `${BUNDLE}.map`,
    map: "main.4f2a1c.js.map",
    origAbsPath: BUNDLE,
  };
}

function frames(): Json[] {
  return [
    libraryFrame({
      filename: "app:///node_modules/react-dom/cjs/react-dom.production.min.js",
      absPath: "app:///node_modules/react-dom/cjs/react-dom.production.min.js",
      module: "node_modules/react-dom/cjs/react-dom.production.min",
      fn: "renderWithHooks",
      lineNo: 167,
      colNo: 206,
    }),
    mapped(
      cartSummary,
      "src/cart/CartSummary.tsx",
      "CartSummary",
      "const totals = computeTotals(cart, promo);",
      18,
    ),
    mapped(totalsV2, "src/cart/totals.ts", "computeTotals", "discount = tier.amount;", 21),
  ];
}

function rawFrames(): Json[] {
  const min = (url: string, fn: string | null, colNo: number, inApp: boolean, snippet: string) => ({
    ...libraryFrame({
      filename: url.replace("https://cdn.acme.shop", ""),
      absPath: url,
      fn,
      lineNo: 1,
      colNo,
    }),
    inApp,
    context: [[1, `{snip} ${snippet} {snip}`]],
  });
  return [
    min(
      VENDOR,
      "Ds",
      44_817,
      false,
      "function Ds(e,t,n,r,l,a){if(Ia=a,Fe=t,t.memoizedState=null,t.updateQueue=null",
    ),
    min(
      BUNDLE,
      "Kp",
      18_342,
      true,
      'function Kp({cart:e,promo:t}){const n=Gp(e,t);return ae.jsx("section",{',
    ),
    min(
      BUNDLE,
      "Gp",
      17_905,
      true,
      't?.kind==="tiered"&&(r=[...t.tiers].reverse().find(o=>n>=o.minSubtotal).amount)',
    ),
  ];
}

function cartEvent(e: (typeof EVENTS)[number]): Json {
  return errorEvent({
    id: e.id,
    issueId: ISSUE,
    project: WEB,
    platform: "javascript",
    title: TITLE,
    culprit: "app:///src/cart/totals.ts in computeTotals",
    location: "app:///src/cart/totals.ts",
    dateMs: e.ms,
    entries: [
      exceptionEntry([
        exceptionValue({
          type: "TypeError",
          value: "Cannot read properties of undefined (reading 'amount')",
          mechanism: { type: "onerror", handled: false },
          frames: frames(),
          rawFrames: rawFrames(),
        }),
      ]),
      breadcrumbsEntry([
        breadcrumb(e.ms - 41 * SEC, "navigation", "navigation", null, { from: "/", to: "/cart" }),
        breadcrumb(e.ms - 18 * SEC, "http", "fetch", null, {
          method: "GET",
          url: "/api/promotions/WINTER-TIERS",
          status_code: 200,
        }),
        breadcrumb(e.ms - 18 * SEC + 30, "default", "console", "[promo] applied WINTER-TIERS tiered", {
          arguments: ["[promo] applied", "WINTER-TIERS", "tiered"],
          logger: "console",
        }),
        breadcrumb(e.ms - 6, "default", "ui.click", "main.cart > ul > li > button.qty-decrement"),
      ]),
      requestEntry({
        method: null,
        url: "https://acme.shop/cart",
        headers: [["User-Agent", `${e.browser[0]}/${e.browser[1]}`]],
      }),
    ],
    tags: {
      browser: `${e.browser[0]} ${e.browser[1]}`,
      "browser.name": e.browser[0],
      environment: "production",
      handled: "no",
      level: "error",
      mechanism: "onerror",
      "os.name": e.os[0],
      promo: "WINTER-TIERS",
      release: REL.version,
      transaction: "/cart",
      url: "https://acme.shop/cart",
    },
    contexts: {
      trace: {
        trace_id: hexId(`s09:trace:${e.id}`),
        span_id: hexId(`s09:span:${e.id}`, 16),
        op: "ui.action.click",
        status: "unknown",
        sampled: false,
        type: "trace",
      },
      browser: { name: e.browser[0], version: e.browser[1], type: "browser" },
      os: { name: e.os[0], version: e.os[1], type: "os" },
    },
    sdk: { name: "sentry.javascript.react", version: "9.30.0" },
    release: eventRelease(REL),
    metadata: {
      type: "TypeError",
      value: "Cannot read properties of undefined (reading 'amount')",
      filename: "app:///src/cart/totals.ts",
      function: "computeTotals",
      in_app_frame_mix: "mixed",
    },
  });
}

const first = 3 * DAY + 16 * HOUR;
const tags = [
  tagDistribution("environment", [["production", 684, first, 5 * MIN]]),
  tagDistribution("release", [[REL.version, 684, first, 5 * MIN]]),
  tagDistribution("promo", [["WINTER-TIERS", 684, first, 5 * MIN]]),
  tagDistribution("browser.name", [
    ["Chrome", 301, first, 5 * MIN],
    ["Safari", 276, first, 19 * MIN],
    ["Firefox", 107, first - HOUR, 2 * HOUR],
  ]),
  tagDistribution("transaction", [["/cart", 684, first, 5 * MIN]]),
];

const suspect = sentryCommit(repo, 2, "141");

export const s09: CorpusScenario = {
  name: "s09-minified-sourcemapped",
  story:
    "SHOP-WEB-1Z: the cart page goes blank with TypeError: Cannot read properties of undefined (reading " +
    "'amount'). The browser reported minified frames (main.4f2a1c.js, line 1); the release's uploaded source " +
    "maps resolve them to computeTotals in src/cart/totals.ts, called while rendering CartSummary. Every event " +
    "has promo=WINTER-TIERS, a tiered promotion, and breadcrumbs show the user had just lowered a quantity. " +
    "#418 ('tiered discounts', Sentry's suspect commit) picks the highest tier the subtotal reaches with " +
    "`find(...)!`; below the lowest tier (€50) find returns undefined. The fix is in computeTotals: no discount " +
    "when no tier is reached.",
  issue: SHORT,
  repos: [repo],
  expected: {
    verdict: "in_app",
    repo: REPO,
    file: "src/cart/totals.ts",
    function: "computeTotals",
    introducedBy: { repo: REPO, commit: 2 },
  },
  sentry: {
    organization: organization(),
    projects: [projectJson(WEB, REL.version)],
    issues: [
      {
        issue: issueDetails({
          id: ISSUE,
          shortId: SHORT,
          project: WEB,
          title: TITLE,
          culprit: "app:///src/cart/totals.ts in computeTotals",
          platform: "javascript",
          metadata: {
            type: "TypeError",
            value: "Cannot read properties of undefined (reading 'amount')",
            filename: "app:///src/cart/totals.ts",
            function: "computeTotals",
            in_app_frame_mix: "mixed",
          },
          substatus: "ongoing",
          count: 684,
          userCount: 512,
          firstSeenMs: ago(first),
          lastSeenMs: EVENTS[1].ms,
          firstRelease: releaseStub(REL),
          lastRelease: releaseStub(REL),
          tagDistributions: tags,
        }),
        events: chainEvents(EVENTS.map(cartEvent)),
        tags,
      },
    ],
    ...releasesOf([REL]),
    committers: Object.fromEntries(
      EVENTS.map((e) => [e.id, committersPayload(suspect, "via SCM integration")] as const),
    ),
  },
};
