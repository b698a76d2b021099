import { DAY, HOUR, MIN } from "../common.ts";
import { type CommitSpec, edit, PEOPLE, type RepoSpec } from "./git.ts";
import * as cfg from "./storefront-config.ts";
import * as f from "./storefront-files.ts";

/**
 * acme/storefront's history: the checkout page, stacking a second coupon (the browser half of the
 * stacked-coupons feature), an axios bump and a cart refresh, all before storefront@5.2.0 (9 days ago).
 * STOREFRONT-3F only reports orders-api's 500, so nothing here is the culprit.
 */

const useCartBeforeFocus = edit(f.USE_CART, [
  [
    '    void reload();\n    const onFocus = () => void reload();\n    window.addEventListener("focus", onFocus);\n    return () => window.removeEventListener("focus", onFocus);\n',
    "    void reload();\n",
  ],
]);
const useCartInitial = edit(useCartBeforeFocus, [
  [
    f.USE_CART.slice(f.USE_CART.indexOf("    const others"), f.USE_CART.indexOf("    setState(next);")),
    `    console.info(\`[cart] coupon \${code} applied\`);\n`,
  ],
]);
const checkoutInitial = edit(f.CHECKOUT, [["const MAX_COUPONS = 2;", "const MAX_COUPONS = 1;"]]);
const packageInitial = edit(cfg.PACKAGE_JSON, [['"axios": "^1.7.9"', '"axios": "^1.7.7"']]);

function commits(): CommitSpec[] {
  return [
    {
      ago: 38 * DAY + 3 * HOUR + 41 * MIN,
      author: PEOPLE.jonas,
      message: "storefront: checkout page, cart hook and orders API client",
      files: {
        "package.json": packageInitial,
        "tsconfig.json": cfg.TSCONFIG,
        "vite.config.ts": cfg.VITE_CONFIG,
        "README.md": cfg.README,
        "src/main.tsx": f.MAIN,
        "src/pages/Checkout.tsx": checkoutInitial,
        "src/api/client.ts": f.CLIENT,
        "src/api/orders.ts": f.ORDERS,
        "src/api/types.ts": f.TYPES,
        "src/cart/useCart.ts": useCartInitial,
        "test/orders.test.ts": cfg.TEST,
      },
    },
    {
      ago: 23 * DAY + 6 * HOUR + 15 * MIN,
      author: PEOPLE.mei,
      message:
        "checkout: let customers stack a second coupon (#236)\n\nNeeds orders-api to accept more than one coupon per order; the API change ships separately.",
      files: { "src/pages/Checkout.tsx": f.CHECKOUT, "src/cart/useCart.ts": useCartBeforeFocus },
    },
    {
      ago: 15 * DAY + 1 * HOUR + 52 * MIN,
      author: PEOPLE.dependabot,
      message:
        "deps: bump axios from 1.7.7 to 1.7.9 (#239)\n\nBumps [axios](https://github.com/axios/axios) from 1.7.7 to 1.7.9.\n\nSigned-off-by: dependabot[bot] <support@github.com>",
      files: { "package.json": cfg.PACKAGE_JSON },
    },
    {
      ago: 9 * DAY + 9 * HOUR + 26 * MIN,
      author: PEOPLE.jonas,
      message: "cart: reload the cart when the tab regains focus (#242)",
      files: { "src/cart/useCart.ts": f.USE_CART },
    },
  ];
}

export function storefrontRepo(): RepoSpec {
  return { name: "acme/storefront", dir: "storefront", projects: ["storefront"], commits: commits() };
}
