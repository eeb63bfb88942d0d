# syntax=docker/dockerfile:1
# The Sluice host as a container image (see docs/docker.md).
#
#   docker build -t sluice .
#   docker run --rm -p 127.0.0.1:3000:3000 sluice                                # default pipelines, embedded transport
#   docker run --rm sluice node dist/apps/sluice/src/main.js validate config/docker/sluice.yaml
#
# Two stages: `build` installs every dependency (better-sqlite3 is a native module: without a
# prebuilt binary it compiles with python3, make and g++), compiles the TypeScript and drops the
# dev dependencies; the runtime stage gets only the compiled code, the production node_modules and
# the configs, and runs as the unprivileged `node` user.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Dependencies first, so that a change to the sources does not reinstall them. `npm ci` is not
# used: lockfiles written on the project's machines lack some platforms' optional builds (README).
# libs/sdk/package.json and libs/kafka/package.json are needed here because "@sluice/sdk" and
# "@sluice/kafka" are file: dependencies (links).
COPY package.json package-lock.json ./
COPY libs/sdk/package.json libs/sdk/package.json
COPY libs/kafka/package.json libs/kafka/package.json
RUN npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY tools tools
COPY libs libs
COPY apps apps
COPY plugins plugins
COPY bench bench
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    SLUICE_HTTP_HOST=0.0.0.0 \
    SLUICE_HTTP_PORT=3000 \
    SLUICE_DATA_DIR=/var/lib/sluice
WORKDIR /app
# Owned by root and read-only for the `node` user: the process can write only to its data dir.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/libs/sdk/package.json ./libs/sdk/package.json
COPY --from=build /app/libs/sdk/dist ./libs/sdk/dist
COPY --from=build /app/libs/kafka/package.json ./libs/kafka/package.json
COPY --from=build /app/libs/kafka/dist ./libs/kafka/dist
COPY --from=build /app/dist ./dist
COPY config ./config
# The sample input files that the default pipelines "sales" and "customers" read (data/raw).
COPY data/raw ./data/raw
# Checkpoints, dead letters and the embedded SQLite database (SLUICE_DATA_DIR). Created here and
# owned by `node`, so that a new named volume mounted on it starts with the same owner.
RUN mkdir -p /var/lib/sluice && chown node:node /var/lib/sluice
VOLUME ["/var/lib/sluice"]
USER node
EXPOSE 3000
# No curl in the slim image: Node's own fetch asks the liveness endpoint.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.SLUICE_HTTP_PORT || 3000) + '/health/live', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node runs as PID 1 and handles SIGTERM itself: `docker stop` drains the pipelines and commits.
CMD ["node", "dist/apps/sluice/src/main.js", "run", "config/sluice.yaml"]
