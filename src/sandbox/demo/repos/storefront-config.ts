/** acme/storefront at HEAD: manifest, config, README and the one test file. */

export const PACKAGE_JSON = `{
  "name": "@acme/storefront",
  "private": true,
  "type": "module",
  "scripts": {
    "dev": "vite",
    "build": "tsc --noEmit && vite build",
    "test": "vitest run"
  },
  "dependencies": {
    "@sentry/react": "^9.30.0",
    "axios": "^1.7.9",
    "react": "^18.3.1",
    "react-dom": "^18.3.1",
    "react-hot-toast": "^2.4.1",
    "react-router-dom": "^6.28.0"
  },
  "devDependencies": {
    "@types/react": "^18.3.12",
    "@types/react-dom": "^18.3.1",
    "@vitejs/plugin-react": "^4.3.4",
    "typescript": "~5.6.3",
    "vite": "^5.4.11",
    "vitest": "^2.1.8"
  }
}
`;

export const TSCONFIG = `{
  "compilerOptions": {
    "target": "ES2020",
    "lib": ["ES2020", "DOM", "DOM.Iterable"],
    "module": "ESNext",
    "moduleResolution": "bundler",
    "jsx": "react-jsx",
    "strict": true,
    "noEmit": true,
    "skipLibCheck": true,
    "types": ["vite/client"]
  },
  "include": ["src", "test"]
}
`;

export const VITE_CONFIG = `import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [react()],
  build: { sourcemap: "hidden" },
  server: { proxy: { "/v1": "http://localhost:8080" } },
});
`;

export const README = `# storefront

Acme Shop's web shop: React 18, Vite, TypeScript. It talks to \`api.acme.shop\` (orders-api and friends)
and reports errors and traces to Sentry (project \`storefront\`); source maps are uploaded on deploy.

\`\`\`sh
npm ci
npm run dev      # http://localhost:5173, proxies /v1 to an orders-api on :8080
npm test
\`\`\`

\`src/api/\` holds the API client (\`client.ts\`, every call goes through \`request\`) and one module per
resource. Pricing happens on the server: the storefront never computes totals it sends.
`;

export const TEST = `import { beforeEach, describe, expect, it, vi } from "vitest";
import { request } from "../src/api/client";
import { createOrder } from "../src/api/orders";

vi.mock("../src/api/client", () => ({ request: vi.fn() }));

describe("createOrder", () => {
  beforeEach(() => vi.mocked(request).mockReset());

  it("sends SKUs, quantities, coupons and currency, and nothing else", async () => {
    vi.mocked(request).mockResolvedValue({ id: "ord_1" });
    const items = [{ sku: "SKU-1042", name: "Mug", qty: 2, unitPrice: 12.5 }];
    await createOrder({ items, coupons: ["WELCOME10"], currency: "EUR" });
    expect(request).toHaveBeenCalledWith("POST", "/v1/orders", {
      currency: "EUR",
      items: [{ sku: "SKU-1042", qty: 2 }],
      coupons: ["WELCOME10"],
    });
  });
});
`;
