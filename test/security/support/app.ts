import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../../src/config.js';
import { createApp } from '../../../src/http/app.js';
import type { ApiApp, AppDeps } from '../../../src/http/deps.js';
import { openDatabase } from '../../../src/jobs/db.js';
import { IdempotencyStore } from '../../../src/jobs/idempotency-store.js';
import { createJobEvents } from '../../../src/jobs/job-events.js';
import { createSessionStore } from '../../../src/jobs/session-store.js';
import { createSqliteJobStore } from '../../../src/jobs/sqlite-job-store.js';
import { TokenStore } from '../../../src/jobs/token-store.js';
import { WebhookStore } from '../../../src/jobs/webhook-store.js';
import { createWorker } from '../../../src/jobs/worker.js';
import { engineOptions } from '../../../src/media/options.js';
import { createStorageBudget } from '../../../src/storage/disk-space.js';
import { type DataLayout, dataLayout } from '../../../src/storage/layout.js';
import { sessionCookieOf } from '../../support/http-client.js';
import { TEST_PASSWORD } from '../../support/server.js';

/**
 * The HTTP app built directly with createApp, for the few settings the shared test server does not
 * expose (the upload idle timeout). Real SQLite file, real admission; the worker never starts.
 */
export interface BareApp {
  url: string;
  app: ApiApp;
  layout: DataLayout;
  cookie: string;
  close(): Promise<void>;
}

export async function startBareApp(
  overrides: Partial<AppDeps> = {},
  /** Adds routes before the app listens, as a future feature would. */
  extend?: (app: ApiApp) => void,
): Promise<BareApp> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'vidvar-bare-'));
  const config = loadConfig({ DATA_DIR: dataDir, APP_PASSWORD: TEST_PASSWORD, LOG_LEVEL: 'silent' });
  const layout = dataLayout(dataDir);
  for (const dir of [layout.uploads, layout.tus, layout.work, layout.outputs])
    mkdirSync(dir, { recursive: true });
  const logger = pino({ level: 'silent' });
  const db = openDatabase(layout.database);
  const store = createSqliteJobStore(db);
  const events = createJobEvents();
  const engine = engineOptions({ threads: 1, preset: 'ultrafast', tmpDir: layout.work });
  const app = await createApp({
    config,
    layout,
    store,
    sessions: createSessionStore(db),
    tokens: new TokenStore(db),
    webhooks: new WebhookStore(db),
    idempotency: new IdempotencyStore(db),
    events,
    worker: createWorker({ store, events, layout, engine, logger, clock: Date.now, concurrency: 1 }),
    budget: await createStorageBudget({ layout, cacheMs: 0 }),
    engine,
    logger,
    password: TEST_PASSWORD,
    isDraining: () => false,
    ...overrides,
  });
  extend?.(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const login = await fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ password: TEST_PASSWORD }),
  });
  const cookie = sessionCookieOf(login) ?? '';
  return {
    url,
    app,
    layout,
    cookie,
    async close() {
      await app.close();
      store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
