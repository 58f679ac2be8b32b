import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { z } from 'zod';
import { loadConfig } from '../../src/config.js';
import { describeEffect } from '../../src/http/effect-labels.js';
import { toJobView } from '../../src/http/job-view.js';
import { newId } from '../../src/jobs/job-service.js';
import type { SyncJobStore } from '../../src/jobs/types.js';
import { engineOptions } from '../../src/media/options.js';
import { composeServer } from '../../src/server.js';
import { createStorageBudget } from '../../src/storage/disk-space.js';
import { sourcePath } from '../../src/storage/layout.js';
import { naiveJobStream } from './naive-stream.js';

/** The job store wants a distinctness record; what it says plays no part in the API's load. */
const NO_MEASURE = {
  vpdq: { measurable: false, vsSource: null, vsNearestSibling: null },
  pixel: {},
  redraws: [],
};

/**
 * The API server in a process of its own for the API-load scenario, with the worker off (the bench
 * moves jobs itself, as the worker would) and a few bench-only routes: the old event stream as a
 * baseline, a driver of job changes, and helpers that fill the data folder. Prints `READY <url>`.
 */
const [dataDir, password] = process.argv.slice(2) as [string, string];
const config = loadConfig({ DATA_DIR: dataDir, APP_PASSWORD: password, LOG_LEVEL: 'silent' });
const logger = pino({ level: 'silent' });
const server = await composeServer({
  config,
  engine: engineOptions({ threads: 1, preset: 'ultrafast', tmpDir: path.join(dataDir, 'work') }),
  logger,
  password,
});
const { app, events, layout } = server;
// Composed on its defaults, the store is SQLite: it answers at once, as the naive stream below expects.
const store = server.store as SyncJobStore;
const view = (id: string) => {
  const job = store.getJob(id);
  return job ? toJobView(job, describeEffect) : null;
};
const idParams = z.object({ id: z.string() });

app.get('/bench/naive-events/:id', { schema: { params: idParams } }, async (request, reply) => {
  naiveJobStream(reply, request, request.params.id, events, () => view(request.params.id));
});

/**
 * Moves a job as a busy worker does, for `ms`: its running outputs' progress every `stepMs` (a
 * progress-only change), and one output finished every `finishEvery` steps (a change of state).
 */
app.post(
  '/bench/drive/:id',
  {
    schema: {
      params: idParams,
      body: z.object({ ms: z.number(), stepMs: z.number(), finishEvery: z.number() }),
    },
  },
  async (request) => {
    const { id } = request.params;
    const { ms, stepMs, finishEvery } = request.body;
    store.claimNextJob(Date.now());
    const outputs = store.getJob(id)?.outputs ?? [];
    let next = 0;
    const running: string[] = [];
    const start = (at: number) => {
      const output = outputs[next++];
      if (!output) return;
      store.setOutputRunning(output.id, at);
      running.push(output.id);
    };
    start(Date.now());
    start(Date.now());
    let changes = 0;
    const end = Date.now() + ms;
    for (let step = 1; Date.now() < end; step++) {
      await new Promise((resolve) => setTimeout(resolve, stepMs));
      const now = Date.now();
      for (const outputId of running) store.setOutputProgress(outputId, Math.min(0.99, (step % 50) / 50));
      store.setJobProgress(id, Math.min(0.99, step / 1000), now);
      if (step % finishEvery === 0 && running.length > 0) {
        const done = running.shift() as string;
        store.completeOutput(done, {
          sizeBytes: 1,
          durationSec: 1,
          width: 2,
          height: 2,
          distinctness: NO_MEASURE,
        });
        start(now);
      }
      events.publish(id);
      changes++;
    }
    return { changes };
  },
);

/** `count` more admitted uploads with the same media as `from` (its file copied). */
app.post(
  '/bench/copy-upload',
  { schema: { body: z.object({ from: z.string(), count: z.number() }) } },
  async (request) => {
    const original = store.getUpload(request.body.from);
    if (!original) throw new Error('no such upload');
    const ids: string[] = [];
    for (let i = 0; i < request.body.count; i++) {
      const id = newId();
      copyFileSync(sourcePath(layout, original.id), sourcePath(layout, id));
      store.addUpload({ ...original, id, createdAt: Date.now() });
      ids.push(id);
    }
    return { ids };
  },
);

/** `files` small files in outputs/, the way finished batches leave them; how long one walk of them takes. */
app.post('/bench/fill', { schema: { body: z.object({ files: z.number() }) } }, async (request) => {
  for (let i = 0; i < request.body.files; i++) {
    const dir = path.join(layout.outputs, `bench-${Math.floor(i / 50)}`);
    if (i % 50 === 0) mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `${i}.mp4`), 'x');
  }
  const started = performance.now();
  await createStorageBudget({ layout });
  return { walkMs: performance.now() - started };
});

await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
process.stdout.write(`READY http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}\n`);
