# autofix-mcp, compiled, as a non-root user. Build: docker build -t autofix-mcp .
# Run:   docker run -p 3939:3939 -e AUTOFIX_HTTP_TOKEN=… -e AUTOFIX_DATABASE_URL=postgres://… autofix-mcp
# docs/deploy.md runs three of these behind a reverse proxy on one PostgreSQL.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles (or fetches a prebuilt binary) on install.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json server.json ./
COPY src src
COPY tools tools
COPY prompts prompts
# `npm ci` compiles the TypeScript (the `prepare` script); then the development dependencies go.
RUN npm ci --no-audit --no-fund
RUN npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
# git reads local checkouts (`repositories[].path`); GitHub repositories need only the network.
RUN apt-get update && apt-get install -y --no-install-recommends git ca-certificates tini \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY package.json server.json ./
# The image's `node` user (uid 1000); with SQLite (no AUTOFIX_DATABASE_URL) runs go to its home.
USER node
EXPOSE 3939
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3939/healthz').then(r=>r.json()).then(h=>process.exit(h.status==='ok'?0:1),()=>process.exit(1))"]
ENTRYPOINT ["tini", "--", "node", "dist/src/bin.js"]
CMD ["--transport", "http", "--host", "0.0.0.0", "--port", "3939"]
