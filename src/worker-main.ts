import { exitAfterDeadline, setUpProcess } from './process-setup.js';
import { openRecords } from './records.js';
import { createRenderWorker } from './render-worker.js';
import { createFileStore } from './storage/create-file-store.js';
import { createFileAudit } from './storage/file-audit.js';
import { VERSION } from './version.js';

/**
 * `vidvar worker`: a process that only renders, taking jobs from the BullMQ queue in Redis that the
 * API processes (`vidvar serve`) fill. Any number may run, on any machines that share Redis and the
 * files. SIGTERM lets the running encodes finish within SHUTDOWN_GRACE_SECONDS; what is cut short
 * goes back to the queue for another worker.
 */
export async function startWorker(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { config, logger, layout, engine, fatal } = await setUpProcess(env);
  if (!config.REDIS_URL) {
    fatal(
      'vidvar worker takes its jobs from Redis: set REDIS_URL (on one machine, vidvar serve renders itself).',
    );
  }
  if (config.WORKER_CONCURRENCY === 0) fatal('WORKER_CONCURRENCY is 0: this worker would render nothing.');
  const records = await openRecords(config, layout, logger);
  // In S3 mode sources come from the bucket and outputs go to it: this machine's folder is a cache.
  const files = createFileStore(config, layout, createFileAudit(layout, logger));
  const worker = createRenderWorker(records, { config, layout, engine, logger, files });
  worker.start();
  logger.info({ version: VERSION, concurrency: config.WORKER_CONCURRENCY }, 'vidvar worker ready');
  process.stdout.write(`vidvar ${VERSION} worker is taking jobs (${config.WORKER_CONCURRENCY} at a time)\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const graceMs = config.SHUTDOWN_GRACE_SECONDS * 1000;
    logger.info({ signal, graceMs }, 'worker shutdown: finishing the encodes that run');
    exitAfterDeadline(graceMs, logger);
    const outcome = await worker.stop({ graceMs });
    await records.close();
    logger.info({ outcome }, 'worker stopped');
    logger.flush?.();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}
