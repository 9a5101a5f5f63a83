# syntax=docker/dockerfile:1
# The image runs a supported LTS: Node 20 reached end of life in April 2026, Node 22 follows in
# April 2027, Node 24 is supported until April 2028. The code itself still runs on Node >= 20.18.1
# (package.json `engines`; CI runs it there), so both stages can move on without code changes.
ARG NODE_IMAGE=node:24-bookworm-slim

# Build stage: full dependencies to compile TypeScript.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# python3/make/g++ build better-sqlite3 (the embedded store's SQLite) when no prebuilt binary fits.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

# Runtime stage: production dependencies and compiled code only, as a non-root user; the same
# Node as the build stage, which compiled the native module for it.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production
# The bridge's memory settings (src/app/node-flags.ts): peak RSS ~160 MB instead of ~290 MB.
ENV NODE_OPTIONS="--max-semi-space-size=4 --max-old-space-size=192"
WORKDIR /app
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
COPY --chown=node:node config ./config
RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 8080 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:8080/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/cli.js", "start"]
