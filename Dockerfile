# syntax=docker/dockerfile:1
# Ballast image: one image, several roles (see workers/main.ts). The role is the container command:
#   docker run ballast worker | api | temporal | start
# TypeScript runs through tsx (a runtime dependency), so there is no separate compile step.
# Pin NODE_IMAGE to a digest in CI if you need byte-for-byte reproducible builds.
ARG NODE_IMAGE=node:20.19.5-bookworm-slim

# ---- deps: production node_modules only (no jest / eslint / ts-jest) ----------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV NODE_ENV=production \
    npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev

# ---- runtime ----------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
LABEL org.opencontainers.image.title="ballast" \
      org.opencontainers.image.description="Ballast liquidity / market-making system on Temporal"
WORKDIR /app
ENV NODE_ENV=production \
    LOG_LEVEL=info \
    BALLAST_CONFIG=/app/config/demo.yaml
# Code and dependencies stay owned by root and read-only to the process; the app writes nothing
# under /app (tsx keeps its transform cache in /tmp).
COPY --from=deps /app/node_modules ./node_modules
COPY . .
# The stock `node` user (uid/gid 1000) of the official image.
USER node
ENTRYPOINT ["node", "--import", "tsx", "workers/main.ts"]
CMD ["worker"]
