# syntax=docker/dockerfile:1
# Lifecycle Sync: built with the full toolchain, run on a slim Node 24 image as a non-root user.
#   docker build -t lifecycle-sync .
#   docker run -p 3000:3000 -v lcs-data:/data --env-file lcs.env lifecycle-sync   # your CRM (see README)
# The image carries no CRM sandbox: with no CRM configured, `start` exits 1 saying how to configure one.
# The demo (a local HubSpot or Salesforce sandbox with the CDNOW sample) is a separate target:
#   docker build --target demo -t lifecycle-sync-demo .
#   docker run --rm -p 3000:3000 lifecycle-sync-demo          # the admin token is printed in the log
#   docker run --rm -p 3000:3000 lifecycle-sync-demo start --demo-crm salesforce
# (or, from a clone: npm install && npm start).

FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The image already has Node 24, so the pinned `node` devDependency's download script is skipped.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
# tsconfig.build.json compiles src/ and connectors/ (and what they import: never sandboxes/).
COPY src ./src
COPY connectors ./connectors
RUN npm run build && npm prune --omit=dev --ignore-scripts

# The demo: the TypeScript sources and the sandboxes, run by Node 24 directly (it strips the types).
# Not for production: the same `start`, which runs the demo only when no CRM is configured.
FROM node:24-slim AS demo
ENV PORT=3000 \
    HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY config ./config
COPY demo ./demo
COPY web ./web
COPY src ./src
COPY connectors ./connectors
COPY sandboxes ./sandboxes
USER node
EXPOSE 3000
ENTRYPOINT ["node", "src/cli/main.ts"]
CMD ["start"]

# Production (the default target): the build only.
FROM node:24-slim AS production
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    LIFECYCLE_SYNC_DB=/data/lifecycle-sync.db
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY config ./config
COPY demo ./demo
COPY web ./web
# The state file (runs, audit, encrypted credentials) lives on a volume the non-root user owns.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 3000
# slim has no curl: Node's own fetch asks /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "dist/src/cli/main.js"]
CMD ["start"]
