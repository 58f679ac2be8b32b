# vidvar on Debian bookworm with Node 24 LTS (the major package.json pins for npm scripts) and Debian's
# FFmpeg 5.1 (the same build the tests use).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
# Pruning the dev dependencies drops the pinned Node package too: the image's own Node 24 runs vidvar.
RUN npx vite build --config web/vite.config.ts --logLevel warn \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
# tini is PID 1 so SIGTERM reaches Node (and FFmpeg children are reaped).
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg tini ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && ffmpeg -version
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/web/dist ./web/dist
COPY package.json .npmrc ./
COPY bin ./bin
COPY src ./src
# All state lives on the volume; TMPDIR too, because /tmp is a RAM disk on Fly.io.
ENV NODE_ENV=production \
    DATA_DIR=/data \
    TMPDIR=/data/work \
    PORT=3000 \
    HOST=0.0.0.0
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "bin/vidvar.js", "serve"]
