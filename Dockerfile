# syntax=docker/dockerfile:1
# newsrelay: one image for every role (`serve --role scheduler|worker|bot`); see README,
# "Containers". tsx (a runtime dependency) runs the TypeScript entry; only the parse workers'
# module is built ahead (scripts/build-parse-worker.ts).
ARG NODE_VERSION=20.20

FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
# Listen on every interface so the orchestrator (and the HEALTHCHECK) reach /readyz. The
# database addresses are compose's service names: set, so a missing server is waited for and
# reported, never replaced by a local one (the image has no FerretDB or redis-server).
ENV NODE_ENV=production \
    HTTP_HOST=0.0.0.0 \
    HTTP_PORT=3000 \
    MONGODB_URI=mongodb://mongodb:27017/newsrelay \
    REDIS_URL=redis://redis:6379
WORKDIR /app
# Owned by root and only readable by the service user: the code cannot be rewritten at run time.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY adapters ./adapters
COPY jobs ./jobs
# The parse workers' JavaScript module (decision 0010), built now: the service user cannot
# write node_modules, and without it every worker thread would load TypeScript through tsx.
COPY scripts/build-parse-worker.ts ./scripts/
RUN node --import tsx scripts/build-parse-worker.ts
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HTTP_PORT || 3000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/newsrelay.js"]
CMD ["serve"]
