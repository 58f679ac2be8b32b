import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { ApiApp } from '../../src/http/deps.js';
import type { JobEvents } from '../../src/jobs/job-events.js';
import type { JobStore } from '../../src/jobs/types.js';
import type { Worker } from '../../src/jobs/worker.js';
import { engineOptions } from '../../src/media/options.js';
import { composeServer } from '../../src/server.js';
import type { StorageBudget } from '../../src/storage/disk-space.js';
import type { FileStore } from '../../src/storage/file-store.js';
import type { Janitor } from '../../src/storage/janitor.js';
import { type DataLayout, dataLayout } from '../../src/storage/layout.js';
import { filesUnder } from './data-dir.js';
import { postSession } from './http-client.js';

/**
 * A real vidvar server for integration tests: temporary DATA_DIR, real SQLite file, real worker and
 * FFmpeg, listening on an ephemeral port. `api()` sends requests with the session cookie.
 */
export const TEST_PASSWORD = 'correct horse battery';

export interface TestServer {
  url: string;
  app: ApiApp;
  store: JobStore;
  events: JobEvents;
  worker: Worker;
  janitor: Janitor;
  budget: StorageBudget;
  layout: DataLayout;
  /** Where finished files rest: the data folder, or the bucket when the env names one. */
  files: FileStore;
  /** Set to make the server answer as during shutdown. */
  draining: { value: boolean };
  cookie: string;
  login(password?: string): Promise<Response>;
  api(pathname: string, init?: RequestInit): Promise<Response>;
  /** Every file under DATA_DIR except the database, relative to it. */
  dataFiles(): string[];
  /** A folder outside DATA_DIR for the test's own files (downloads, files hidden from the server). */
  scratch: string;
  close(): Promise<void>;
}

export interface TestServerOptions {
  env?: Record<string, string>;
  /** Start the worker loop (off for tests that only need the API). */
  work?: boolean;
  webRoot?: string;
  /** Serve a stand-in for the built web client (an index.html), made and removed with the server. */
  webClientStub?: boolean;
  /** The server's clock (sessions, login throttle, expiry); real time by default. */
  clock?: () => number;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'vidvar-http-'));
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'vidvar-scratch-'));
  const webRoot = options.webClientStub ? path.join(scratch, 'web-dist') : options.webRoot;
  if (options.webClientStub) {
    mkdirSync(path.join(scratch, 'web-dist'), { recursive: true });
    writeFileSync(path.join(scratch, 'web-dist', 'index.html'), '<!doctype html><title>vidvar</title>');
  }
  const config = loadConfig({
    DATA_DIR: dataDir,
    APP_PASSWORD: TEST_PASSWORD,
    LOG_LEVEL: 'silent',
    ...(options.env?.REDIS_URL ? {} : redisForEveryServer()),
    ...options.env,
  });
  const layout = dataLayout(config.DATA_DIR);
  for (const dir of [layout.uploads, layout.tus, layout.work, layout.outputs])
    mkdirSync(dir, { recursive: true });
  const engine = engineOptions({ threads: 1, preset: 'ultrafast', tmpDir: layout.work, maxLongSide: 640 });
  const composed = await composeServer({
    config,
    engine,
    logger: pino({ level: config.LOG_LEVEL }),
    password: TEST_PASSWORD,
    webRoot,
    budgetCacheMs: 0,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const { app, store, files, events, worker, draining, janitor, budget, webhooks } = composed;
  await app.listen({ port: 0, host: '127.0.0.1' });
  if (options.work !== false) worker.start();
  webhooks.start();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;

  const server: TestServer = {
    url,
    app,
    store,
    events,
    worker,
    janitor,
    budget,
    layout,
    files,
    draining,
    cookie: '',
    async login(password = TEST_PASSWORD) {
      const { res, cookie } = await postSession(url, password);
      if (cookie) server.cookie = cookie;
      return res;
    },
    api(pathname, init = {}) {
      const headers = new Headers(init.headers);
      if (server.cookie && !headers.has('cookie')) headers.set('cookie', server.cookie);
      return fetch(`${url}${pathname}`, { ...init, headers });
    },
    dataFiles() {
      return filesUnder(layout.root).filter((file) => !file.startsWith('vidvar.db'));
    },
    scratch,
    async close() {
      await worker.stop({ graceMs: 0 });
      await webhooks.stop();
      // Keep-alive connections (a video just downloaded) would otherwise hold close() for their timeout.
      app.server.closeAllConnections();
      await app.close();
      await composed.close();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(scratch, { recursive: true, force: true });
    },
  };
  return server;
}

/**
 * One signed-in server for all the tests of the calling file, closed after the last of them. Await it at
 * the top level of a test file.
 */
export async function signedInServerForFile(options: TestServerOptions = {}): Promise<TestServer> {
  const server = await startTestServer(options);
  afterAll(() => server.close());
  await server.login();
  return server;
}

/**
 * VIDVAR_TEST_REDIS_URL=redis://… runs every test server on Redis records (each under a prefix of its
 * own), to try the HTTP tests against the Redis store by hand; unset, the servers use SQLite.
 */
function redisForEveryServer(): Record<string, string> {
  const url = process.env.VIDVAR_TEST_REDIS_URL;
  return url ? { REDIS_URL: url, REDIS_PREFIX: `test-${randomBytes(6).toString('hex')}` } : {};
}
