import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiClient } from '../api-client.js';
import type { BenchContext, ScenarioOutcome } from '../context.js';
import { type Figure, percentile, ratio } from '../report.js';
import type { RunningServer } from '../server.js';

/**
 * Scenario 7: how quickly GET /api/jobs/:id answers while FFmpeg is busy. 20 pollers, each a bounded
 * loop of requests with a short pause (an impatient client, not a flood), on loopback. The same
 * pollers on a finished job while nothing encodes give the baseline.
 */

export async function poller(
  client: ApiClient,
  jobId: string,
  requests: number,
  pauseMs: number,
): Promise<number[]> {
  const latencies: number[] = [];
  // The first request opens the poller's connection: a warm-up, not counted.
  for (let i = -1; i < requests; i++) {
    const started = performance.now();
    await client.getJob(jobId);
    if (i >= 0) latencies.push(performance.now() - started);
    await sleep(pauseMs);
  }
  return latencies;
}

async function pollAll(ctx: BenchContext, client: ApiClient, jobId: string): Promise<number[]> {
  const { pollers, requestsPerPoller, pauseMs } = ctx.workload.latency;
  const runs = await Promise.all(
    Array.from({ length: pollers }, () => poller(client, jobId, requestsPerPoller, pauseMs)),
  );
  return runs.flat();
}

function latencyFigures(key: string, label: string, samples: number[]): Figure[] {
  return [
    {
      key: `${key}.p50Ms`,
      label: `GET /api/jobs/:id p50, ${label}`,
      value: percentile(samples, 50),
      unit: 'ms',
    },
    {
      key: `${key}.p99Ms`,
      label: `GET /api/jobs/:id p99, ${label}`,
      value: percentile(samples, 99),
      unit: 'ms',
    },
    {
      key: `${key}.maxMs`,
      label: `GET /api/jobs/:id max, ${label}`,
      value: percentile(samples, 100),
      unit: 'ms',
    },
  ];
}

/** idleJobId: a finished job to poll while the server is idle; null skips the baseline. */
export async function apiLatency(
  ctx: BenchContext,
  server: RunningServer,
  idleJobId: string | null,
): Promise<ScenarioOutcome> {
  const { pollers, requestsPerPoller, pauseMs, outputs } = ctx.workload.latency;
  const client = server.client;
  const idle = idleJobId === null ? [] : await pollAll(ctx, client, idleJobId);
  const source = ctx.sources[0] as string;
  const created = await client.createJob([source], {
    count: outputs,
    intensity: 'medium',
    seed: 'bench-latency',
  });
  await client.waitForJob(created.id, (j) => j.status === 'running' && j.progress > 0);
  const busy = await pollAll(ctx, client, created.id);
  const after = await client.getJob(created.id);
  // The encode only served as load; cancelling frees the CPU for the next scenario.
  if (after.status === 'queued' || after.status === 'running') await client.deleteJob(created.id);
  const figures = [
    ...latencyFigures('latency.idle', 'idle server', idle),
    ...latencyFigures('latency.encoding', 'encoding', busy),
  ];
  const p99 = figures.find((f) => f.key === 'latency.encoding.p99Ms') as Figure;
  p99.goal = { op: '<=', target: 50 };
  figures.push(
    {
      key: 'latency.p99VsIdle',
      label: 'p99 encoding / p99 idle',
      value: ratio(percentile(busy, 99), percentile(idle, 99)),
      unit: 'ratio',
    },
    { key: 'latency.requests', label: 'requests measured while encoding', value: busy.length, unit: 'count' },
  );
  return {
    figures,
    notes: [
      `${pollers} pollers × ${requestsPerPoller} requests, ${pauseMs} ms pause; job of 1 source × ${outputs} ` +
        `was ${after.status === 'running' ? 'still encoding' : after.status} when the last poll ended`,
    ],
  };
}
