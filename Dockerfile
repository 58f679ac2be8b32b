# vidvar on Debian bookworm with Node 20 and Debian's FFmpeg 5.1 (the same build the tests use).
FROM node:20-bookworm-slim AS build
WORKDIR /app
# Node's headers live under /usr/local in this image (the repo's .npmrc points at Debian's /usr).
ENV npm_config_nodedir=/usr/local
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx vite build --config web/vite.config.ts --logLevel warn \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
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
