# syntax=docker/dockerfile:1.7
# Node image of the HTTP API: the same Hono app the edge runs (edge/entries/node.ts), for
# operators who host the API themselves (the `selfhosted` profile of docker-compose.prod.yml).
# The code runs from TypeScript through tsx, which is a runtime dependency of this project,
# so there is no compile stage: deps → runtime.

ARG NODE_IMAGE=node:20.20-bookworm-slim

# --- deps: production node_modules only, from the lockfile ---------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# --- runtime --------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8100 \
    NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app
# Files stay owned by root, so the unprivileged process cannot rewrite its own code.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY engine ./engine
COPY db ./db
COPY services ./services
# The Node API runs the job handlers in process (jobs/embedded.ts) when no QStash is configured.
COPY jobs ./jobs
COPY edge ./edge
COPY migrations ./migrations

# The official image ships the unprivileged `node` user (uid 1000).
USER node
EXPOSE 8100
# No curl in slim images: Node's own fetch probes the liveness route.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8100)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "--import", "tsx", "edge/entries/node.ts"]
