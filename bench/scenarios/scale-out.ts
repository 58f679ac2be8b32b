import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startRedisServer } from '../../test/support/redis-server.js';
import { startVidvar, type VidvarProcess } from '../../test/support/server-process.js';
import { ApiClient } from '../api-client.js';
import type { BenchContext, ScenarioOutcome } from '../context.js';
import { type Figure, percentile, ratio } from '../report.js';
import { poller } from './api-latency.js';

/**
 * Scenario 12: past one machine. One `vidvar serve` (WORKER_CONCURRENCY=0) and one, then two,
 * `vidvar worker` processes on a real redis-server, sharing a data folder. Each worker runs one FFmpeg
 * process at a time (FFMPEG_PROCESSES=1), standing for a one-core machine: on this 2-core machine the
 * ratio says what a second such machine adds. The same batches each time; while the two workers render,
 * pollers measure GET /api/jobs/:id through Redis against the same pollers on the idle deployment.
 */

const POLLERS = 10;
const REQUESTS = 60;
const PAUSE_MS = 50;

interface Deployment {
  api: VidvarProcess;
  workers: VidvarProcess[];
  client: ApiClient;
}

async function deploy(
  ctx: BenchContext,
  redisUrl: string,
  workers: number,
  tag: string,
): Promise<Deployment> {
  const dataDir = path.join(ctx.runDir, `scale-${tag}`);
  await mkdir(dataDir, { recursive: true });
  const password = randomBytes(12).toString('base64url');
  // Each deployment its own Redis database: no job of the last run is in the next one's queue.
  const env = {
    REDIS_URL: `${redisUrl}/${workers}`,
    LOG_LEVEL: 'warn',
    SHUTDOWN_GRACE_SECONDS: '5',
    FFMPEG_PROCESSES: '1',
  };
  const api = await startVidvar(dataDir, { password, env: { ...env, WORKER_CONCURRENCY: '0' } });
  const started: VidvarProcess[] = [];
  for (let i = 0; i < workers; i++) {
    started.push(
      await startVidvar(dataDir, { password, command: 'worker', env: { ...env, LOG_LEVEL: 'info' } }),
    );
  }
  return { api, workers: started, client: await ApiClient.signIn(api.url, password) };
}

async function stop(d: Deployment): Promise<void> {
  for (const proc of [...d.workers, d.api]) await proc.stop(30_000);
}

/** The workload's sources as separate batches, so that every worker has one to take. */
async function renderBatches(ctx: BenchContext, d: Deployment, batches: number): Promise<number> {
  const w = ctx.workload;
  const started = performance.now();
  const created = [];
  for (let i = 0; i < batches; i++) {
    const source = ctx.sources[i % ctx.sources.length] as string;
    created.push(
      await d.client.createJob([source], { count: w.count, intensity: w.intensity, seed: `${w.seed}-${i}` }),
    );
  }
  const ended = await Promise.all(created.map((job) => d.client.waitForJob(job.id)));
  const failed = ended.filter((job) => job.status !== 'done');
  if (failed.length > 0)
    throw new Error(`${failed.length} batches ended ${failed[0]?.status}: ${failed[0]?.error}`);
  return (performance.now() - started) / 1000;
}

async function poll(client: ApiClient, jobId: string): Promise<number[]> {
  const runs = await Promise.all(
    Array.from({ length: POLLERS }, () => poller(client, jobId, REQUESTS, PAUSE_MS)),
  );
  return runs.flat();
}

export async function scaleOut(ctx: BenchContext): Promise<ScenarioOutcome> {
  const w = ctx.workload;
  const batches = 4;
  const redis = await startRedisServer();
  try {
    const one = await deploy(ctx, redis.url, 1, 'one');
    const oneSec = await renderBatches(ctx, one, batches).finally(() => stop(one));
    ctx.log(`12: ${batches} batches × ${w.count} with one worker: ${oneSec.toFixed(1)} s`);

    const two = await deploy(ctx, redis.url, 2, 'two');
    let twoSec: number;
    let idle: number[];
    let busy: number[];
    try {
      const warm = await two.client.createJob([ctx.sources[0] as string], {
        count: 1,
        intensity: 'subtle',
        seed: 'warm',
      });
      await two.client.waitForJob(warm.id);
      idle = await poll(two.client, warm.id);
      const rendering = renderBatches(ctx, two, batches);
      await sleep(3000);
      busy = await poll(two.client, warm.id);
      twoSec = await rendering;
    } finally {
      await stop(two);
    }
    ctx.log(`12: the same with two workers: ${twoSec.toFixed(1)} s`);
    const variations = batches * w.count;
    const figures: Figure[] = [
      {
        key: 'scale.oneWorkerSec',
        label: `${batches} batches × ${w.count}, one worker (1 FFmpeg at a time)`,
        value: oneSec,
        unit: 's',
      },
      { key: 'scale.twoWorkersSec', label: 'the same, two workers', value: twoSec, unit: 's' },
      {
        key: 'scale.oneWorkerPerMin',
        label: 'variations a minute, one worker',
        value: (variations * 60) / oneSec,
        unit: 'count',
      },
      {
        key: 'scale.twoWorkersPerMin',
        label: 'variations a minute, two workers',
        value: (variations * 60) / twoSec,
        unit: 'count',
      },
      {
        key: 'scale.speedup',
        label: 'throughput, two workers / one',
        value: ratio(oneSec, twoSec),
        unit: 'ratio',
      },
      {
        key: 'scale.idleP99Ms',
        label: 'GET /api/jobs/:id p99 over Redis, idle',
        value: percentile(idle, 99),
        unit: 'ms',
      },
      {
        key: 'scale.busyP99Ms',
        label: 'GET /api/jobs/:id p99 over Redis, two workers rendering',
        value: percentile(busy, 99),
        unit: 'ms',
      },
      {
        key: 'scale.busyP50Ms',
        label: 'GET /api/jobs/:id p50 over Redis, two workers rendering',
        value: percentile(busy, 50),
        unit: 'ms',
      },
      {
        key: 'scale.p99VsIdle',
        label: 'p99 rendering / p99 idle',
        value: ratio(percentile(busy, 99), percentile(idle, 99)),
        unit: 'ratio',
      },
    ];
    return {
      figures,
      notes: [
        `each worker runs one FFmpeg process at a time, standing for a one-core machine; this machine has ` +
          `${os.availableParallelism()} cores, so two such workers fit and the ratio shows what a second machine adds`,
        `${POLLERS} pollers × ${REQUESTS} requests, ${PAUSE_MS} ms pause, on a finished 1-variation job`,
      ],
    };
  } finally {
    await redis.close();
  }
}
