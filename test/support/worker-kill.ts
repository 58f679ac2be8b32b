import { Redis } from 'ioredis';
import { expect } from 'vitest';
import type { JobView } from '../../src/http/schemas.js';
import { RedisJobStore } from '../../src/jobs/redis-job-store.js';
import { waitForJob } from './http-client.js';
import type { VidvarProcess } from './server-process.js';

/** The worker whose log says it started the job. */
export function workerThatStarted(workers: VidvarProcess[], jobId: string): VidvarProcess | undefined {
  return workers.find((w) => w.logs().some((line) => line.event === 'job_started' && line.jobId === jobId));
}

/**
 * SIGKILLs the worker rendering a job once one of its outputs is well under way, waits for
 * the job to finish elsewhere (read through `other`), and checks the record in Redis: outputs finished
 * before the kill were never rendered again, cut-short ones were rendered once more, the rest once.
 * Returns the finished job, the worker that finished it and the one killed; `workers` loses the victim.
 */
export async function killWorkerMidRender(options: {
  through: VidvarProcess;
  other: VidvarProcess;
  workers: VidvarProcess[];
  redisUrl: string;
  jobId: string;
}): Promise<{ done: JobView; survivor: VidvarProcess; victim: VidvarProcess }> {
  const { through, other, workers, jobId } = options;
  const mid = await waitForJob(
    through,
    jobId,
    // Outputs of one FFmpeg process (fan-out) finish together: well into a render is enough, whatever is done.
    (j) => j.outputs.some((o) => o.status === 'running' && o.progress >= 0.2),
  );
  const doneBefore = mid.outputs.filter((o) => o.status === 'done').map((o) => o.id);
  const victim = workerThatStarted(workers, jobId) as VidvarProcess;
  expect((await victim.kill()).signal).toBe('SIGKILL');
  workers.splice(workers.indexOf(victim), 1);

  const done = await waitForJob(other, jobId, undefined, 150_000);
  expect(done.status).toBe('done');
  const survivor = workerThatStarted(workers, jobId) as VidvarProcess;
  expect(survivor).toBeDefined();
  const client = new Redis(options.redisUrl);
  const record = await new RedisJobStore(client).getJob(jobId);
  await client.quit();
  for (const output of record?.outputs ?? []) {
    if (doneBefore.includes(output.id)) expect(output.attempts).toBe(1);
    else expect(output.attempts).toBeLessThanOrEqual(2);
  }
  expect(record?.outputs.some((o) => o.attempts === 2)).toBe(true);
  return { done, survivor, victim };
}
