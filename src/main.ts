import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { type Config, ConfigError, loadConfig } from './config.js';
import { checkRenderFfmpeg, type EngineOptions, engineOptions, wrapperAvailable } from './media/index.js';
import { composeServer } from './server.js';
import { type DataLayout, dataLayout } from './storage/layout.js';
import { VERSION } from './version.js';

/**
 * Composition root: reads the configuration, checks the machine, wires the layers, and owns start-up
 * and shutdown. SIGTERM drains: intake answers 503, the running encode gets a grace period, the job
 * is marked interrupted otherwise, the WAL is checkpointed, and the process exits 0.
 */
export async function startServer(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  const logger = pino({
    level: config.LOG_LEVEL,
    redact: {
      // `*.headers`: plugins log whole header sets too (multipart's busboy options at trace level).
      paths: [
        'req.headers.cookie',
        'req.headers.authorization',
        '*.headers.cookie',
        '*.headers.authorization',
        '*.headers["set-cookie"]',
        '*.password',
        'password',
      ],
      censor: '[redacted]',
    },
  });
  const layout = dataLayout(config.DATA_DIR);
  const fatal = (message: string): never => {
    logger.fatal(message);
    process.stderr.write(`vidvar: ${message}\n`);
    process.exit(1);
  };
  prepareDataDir(layout, fatal);

  const engine = engineFromConfig(config, layout);
  const ffmpeg = await checkRenderFfmpeg(engine);
  if (ffmpeg.missing.length > 0) fatal(`FFmpeg is not usable: missing ${ffmpeg.missing.join(', ')}.`);
  logger.info({ ffmpeg: ffmpeg.version }, 'ffmpeg ready');
  if (engine.processLimits && !wrapperAvailable()) {
    logger.warn('prlimit, choom or nice is missing: FFmpeg runs without CPU, memory and priority limits');
  }

  const password = config.APP_PASSWORD ?? generatedPassword();
  const webRoot = path.resolve(import.meta.dirname, '..', 'web', 'dist');
  const server = await composeServer({ config, engine, logger, password, webRoot });
  const { app, worker, janitor, webhooks, store, draining } = server;
  await app.listen({ port: config.PORT, host: config.HOST });
  worker.start();
  janitor.start();
  webhooks.start();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  logger.info({ port, dataDir: layout.root, version: VERSION }, 'vidvar listening');
  process.stdout.write(`vidvar ${VERSION} is running at http://localhost:${port}\n`);
  if (!config.APP_PASSWORD) {
    process.stdout.write(`No APP_PASSWORD set; sign in with this generated password: ${password}\n`);
  }

  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    draining.value = true;
    const graceMs = config.SHUTDOWN_GRACE_SECONDS * 1000;
    logger.info({ signal, graceMs }, 'shutdown: draining, intake closed');
    // Keep listening through the grace: clients get "draining" and 503 + Retry-After, not a refused connection.
    const outcome = await worker.stop({ graceMs });
    logger.info({ outcome }, 'shutdown: worker stopped');
    await janitor.stop();
    await webhooks.stop();
    app.server.close();
    // Node flushes response writes on the next tick: without this turn, open event streams would be cut
    // before they carry the job's last state ("interrupted") to the browser.
    await new Promise((resolve) => setImmediate(resolve));
    app.server.closeAllConnections();
    await app.close().catch((error: unknown) => logger.warn({ err: error }, 'shutdown: close failed'));
    await store.checkpoint();
    await store.close();
    logger.info('shutdown: database checkpointed, exiting');
    logger.flush?.();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

function engineFromConfig(config: Config, layout: DataLayout): EngineOptions {
  return engineOptions({
    threads: config.FFMPEG_THREADS,
    ...(config.FFMPEG_PROCESSES > 0 ? { cpus: config.FFMPEG_PROCESSES } : {}),
    preset: config.X264_PRESET,
    maxLongSide: config.OUTPUT_MAX_SIDE,
    maxDurationSec: config.MAX_DURATION_SECONDS,
    maxFrameSide: config.MAX_FRAME_SIDE,
    stallTimeoutMs: config.STALL_TIMEOUT_SECONDS * 1000,
    // FFmpeg's temporary files go to the data volume, never to /tmp (a RAM disk on Fly.io).
    tmpDir: layout.work,
  });
}

function prepareDataDir(layout: DataLayout, fatal: (message: string) => never): void {
  try {
    for (const dir of [layout.root, layout.uploads, layout.tus, layout.work, layout.outputs]) {
      mkdirSync(dir, { recursive: true });
    }
    const probe = path.join(layout.root, `.write-check-${process.pid}`);
    writeFileSync(probe, 'ok');
    rmSync(probe);
  } catch (error) {
    fatal(`the data folder ${layout.root} is not writable (${(error as Error).message}).`);
  }
}

function generatedPassword(): string {
  return randomBytes(12).toString('base64url');
}
