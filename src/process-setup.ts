import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { type Config, ConfigError, loadConfig } from './config.js';
import { checkRenderFfmpeg, type EngineOptions, engineOptions, wrapperAvailable } from './media/index.js';
import { type DataLayout, dataLayout } from './storage/layout.js';

/** What every long-running vidvar process starts from: `vidvar serve` and `vidvar worker`. */
export interface ProcessSetup {
  config: Config;
  logger: Logger;
  layout: DataLayout;
  engine: EngineOptions;
  /** Logs, prints one line and exits 1. */
  fatal: (message: string) => never;
}

/**
 * Reads and checks the configuration, makes the data folder and checks FFmpeg: a process that cannot
 * work stops here with one clear line, before it takes any job.
 */
export async function setUpProcess(env: NodeJS.ProcessEnv): Promise<ProcessSetup> {
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

  return { config, logger, layout, engine, fatal };
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

/** What a shutdown may take beyond the encodes' grace: closing connections, flushing logs. */
const CLOSE_MS = 10_000;

/**
 * A shutdown must end even when a step cannot (Redis away: a queue waits for it to close): past the grace
 * and the close time, the process exits 1 and says so. What it left undone is what a crash leaves.
 */
export function exitAfterDeadline(graceMs: number, logger: Logger): void {
  setTimeout(() => {
    logger.error({ event: 'shutdown_deadline' }, 'shutdown did not finish in time; exiting');
    logger.flush?.();
    process.exit(1);
  }, graceMs + CLOSE_MS).unref();
}
