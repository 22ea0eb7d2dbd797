# syntax=docker/dockerfile:1
# Lifecycle Sync: build with the full toolchain, run on a slim Node 24 image as a non-root user.

FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The image already has Node 24, so the pinned `node` devDependency's download script is skipped.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY connectors ./connectors
RUN npm run build && npm prune --omit=dev --ignore-scripts

FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY config ./config
COPY demo ./demo
USER node
ENTRYPOINT ["node", "dist/src/cli/main.js"]
CMD ["start"]
