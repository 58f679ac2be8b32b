import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { exitAfterDeadline, setUpProcess } from './process-setup.js';
import { composeServer } from './server.js';
import { VERSION } from './version.js';

/**
 * Composition root: reads the configuration, checks the machine, wires the layers, and owns start-up
 * and shutdown. SIGTERM drains: intake answers 503, the running encode gets a grace period, the job
 * is marked interrupted otherwise, the WAL is checkpointed, and the process exits 0.
 */
export async function startServer(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { config, logger, layout, engine } = await setUpProcess(env);
  const password = config.APP_PASSWORD ?? generatedPassword();
  const webRoot = path.resolve(import.meta.dirname, '..', 'web', 'dist');
  const server = await composeServer({ config, engine, logger, password, webRoot });
  const { app, worker, janitor, webhooks, draining } = server;
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
    exitAfterDeadline(graceMs, logger);
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
    await server.close();
    logger.info('shutdown: records closed (SQLite checkpointed), exiting');
    logger.flush?.();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

function generatedPassword(): string {
  return randomBytes(12).toString('base64url');
}
