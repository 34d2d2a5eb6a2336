# Veza server image: `docker build -t veza-server .` at the repository's root (docs/operations.md).
# Two stages: the build has the whole toolchain; the runtime has Node, ffmpeg, tini and only the
# server's production dependencies (`pnpm deploy --prod`), runs as the unprivileged user `veza`
# and keeps everything it writes in the /data volume (embedded PostgreSQL, secrets, media).
ARG NODE_VERSION=24.22.3

FROM docker.io/library/node:${NODE_VERSION}-bookworm-slim AS build
ARG PNPM_VERSION=10.34.9
RUN npm install --global --no-fund --no-audit "pnpm@${PNPM_VERSION}"
WORKDIR /src
# Manifests first, so the dependency layer is rebuilt only when they change. The desktop's
# manifest is there for the lockfile's sake; none of its dependencies are installed.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
COPY apps/server/package.json apps/server/
COPY apps/desktop/package.json apps/desktop/
COPY packages/shared/package.json packages/shared/
COPY packages/audio/package.json packages/audio/
RUN pnpm install --frozen-lockfile --filter "@veza/server..." --filter veza
COPY tsconfig.base.json tsconfig.build.json ./
COPY packages/shared packages/shared
COPY packages/audio packages/audio
COPY apps/server apps/server
RUN pnpm exec tsc -b tsconfig.build.json \
  && pnpm --filter @veza/server deploy --prod --legacy /out

FROM docker.io/library/node:${NODE_VERSION}-bookworm-slim AS runtime
# ffmpeg for uploads; tini as PID 1 reaps the embedded PostgreSQL's processes and forwards SIGTERM.
RUN apt-get update \
  && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ffmpeg tini \
  && apt-get clean \
  && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 veza \
  && useradd --system --uid 10001 --gid veza --home-dir /data --no-create-home --shell /usr/sbin/nologin veza \
  && install -d -o veza -g veza -m 0700 /data
# Owned by root: the server cannot change its own code.
COPY --from=build /out/package.json /opt/veza/package.json
COPY --from=build /out/node_modules /opt/veza/node_modules
COPY --from=build /out/dist /opt/veza/dist
COPY deploy/container/healthcheck.mjs /opt/veza/healthcheck.mjs
RUN printf '#!/bin/sh\nexec node /opt/veza/dist/cli.js "$@"\n' >/usr/local/bin/veza-server \
  && chmod 0755 /usr/local/bin/veza-server

ENV NODE_ENV=production \
    VEZA_HOST=0.0.0.0 \
    VEZA_PORT=8080 \
    VEZA_DATA_DIR=/data
USER veza
WORKDIR /data
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 CMD ["node", "/opt/veza/healthcheck.mjs"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["veza-server", "serve"]
