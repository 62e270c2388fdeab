# Multi-stage build: compile TypeScript with dev dependencies, ship only runtime dependencies and JS.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY connectors ./connectors
COPY jobs ./jobs
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production PORT=3000 BATON_DATA_DIR=/data MAPPINGS_DIR=/app/mappings
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY mappings ./mappings
RUN mkdir -p /data && chown node:node /data
USER node
# 3000: the HTTP server (`start`, `server`); 9464: a `worker`'s /healthz and /metrics (BATON_WORKER_PORT).
EXPOSE 3000 9464
# `baton health` asks this container's process on the port of its role (PORT or BATON_WORKER_PORT);
# a worker is healthy only while Redis and the database answer and its queue workers run.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s CMD ["node", "dist/src/cli/main.js", "health"]
# `start` = server + workers; use `server` and `worker` to scale them separately.
ENTRYPOINT ["node", "dist/src/cli/main.js"]
CMD ["start"]
