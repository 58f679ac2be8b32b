import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { openDatabase } from '../../src/jobs/db.js';
import { SqliteJobStore } from '../../src/jobs/sqlite-job-store.js';
import type { NewJob, SyncJobStore } from '../../src/jobs/types.js';
import type { BenchContext, ScenarioOutcome } from '../context.js';
import type { Figure } from '../report.js';

/**
 * The job queue alone, without FFmpeg: what the SQLite binding and the store cost per batch. The same
 * calls the job service, the worker and an event stream make, on a real database file in the run's
 * scratch folder. Run under another Node or another SQLite binding, its figures compare the two.
 */

export interface QueueWorkload {
  jobs: number;
  outputsPerJob: number;
  /** Progress writes per output (the worker writes at most one a second), each followed by a read of the job. */
  ticksPerOutput: number;
  /** Full listings of every job with its outputs (the jobs page). */
  listings: number;
  runs: number;
}

export const QUEUE_WORKLOAD: QueueWorkload = {
  jobs: 200,
  outputsPerJob: 10,
  ticksPerOutput: 5,
  listings: 10,
  runs: 3,
};

type Media = NewJob['sources'][number]['media'];
type Plan = NewJob['outputs'][number]['plan'];

const MEDIA: Media = {
  demuxer: 'mov',
  formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
  durationSec: 6,
  sizeBytes: 9_000_000,
  bitRate: 12_000_000,
  video: {
    index: 0,
    codec: 'h264',
    profile: 'High',
    pixFmt: 'yuv420p',
    codedWidth: 1080,
    codedHeight: 1920,
    width: 1080,
    height: 1920,
    rotation: 0,
    fps: 30,
    frameCount: null,
  },
  audio: { index: 1, codec: 'aac', channels: 2, sampleRate: 48_000 },
};

// A stored plan about as large as a real medium one (six effects with their parameters).
const plan = (index: number): Plan => ({
  index,
  intensity: 'medium',
  effects: [
    { id: 'zoom', params: { scale: 1.06, x: 0.31, y: 0.62 } },
    { id: 'brightness', params: { value: 0.03 } },
    { id: 'saturation', params: { value: 1.08 } },
    { id: 'grain', params: { strength: 4 } },
    { id: 'trim', params: { headFrames: 2, tailFrames: 3 } },
    { id: 'volume', params: { db: -1.2 } },
  ],
  encode: { crf: 22, gop: 60, preset: 'ultrafast', x264Params: 'cabac=1:deblock=1', audioBitrateK: 128 },
  signature: `bench:${index}`,
});

function newJob(n: number, outputs: number): NewJob {
  const id = `job_bench${String(n).padStart(11, '0')}`;
  const sourceId = `src_bench${String(n).padStart(11, '0')}`;
  return {
    id,
    count: outputs,
    intensity: 'medium',
    seed: `bench-${n}`,
    createdAt: 1_000_000 + n,
    expiresAt: 1_000_000 + n + 86_400_000,
    sources: [{ id: sourceId, name: 'ad.mp4', sizeBytes: MEDIA.sizeBytes, media: MEDIA }],
    outputs: Array.from({ length: outputs }, (_, i) => ({
      id: `out_b${String(n).padStart(6, '0')}${String(i).padStart(9, '0')}`,
      sourceId,
      index: i + 1,
      plan: plan(i + 1),
    })),
  };
}

interface Phases {
  createMs: number;
  workMs: number;
  listMs: number;
  /** CPU time of the whole pass: unlike wall time, barely moved by other work on the same cores. */
  cpuMs: number;
}

/** One pass of the workload on a fresh store; milliseconds per phase. */
export function runQueueWorkload(store: SyncJobStore, w: QueueWorkload): Phases {
  let now = 2_000_000;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let n = 0; n < w.jobs; n++) store.createJob(newJob(n, w.outputsPerJob));
  const t1 = performance.now();
  for (let job = store.claimNextJob(now); job !== null; job = store.claimNextJob(++now)) {
    job.outputs.forEach((output, done) => {
      store.setOutputRunning(output.id, now);
      for (let tick = 1; tick <= w.ticksPerOutput; tick++) {
        store.setOutputProgress(output.id, tick / w.ticksPerOutput);
        store.setJobProgress(job.id, (done + tick / w.ticksPerOutput) / job.outputs.length, ++now);
        store.getJob(job.id);
      }
      store.completeOutput(output.id, {
        sizeBytes: 6_000_000,
        durationSec: 5.8,
        width: 1080,
        height: 1920,
        distinctness: {
          vpdq: { measurable: true, vsSource: null, vsNearestSibling: null },
          pixel: { vsSource: 0.31, nearestSibling: 0.27 },
          redraws: [],
        },
      });
    });
    store.markSourceDeleted(job.sources[0]?.id as string);
    store.setJobStatus(job.id, 'done', ++now);
  }
  const t2 = performance.now();
  for (let i = 0; i < w.listings; i++) {
    if (store.listJobs().length !== w.jobs) throw new Error('the store lost jobs');
  }
  const t3 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  if (store.countByStatus().done !== w.jobs) throw new Error('not every job finished');
  return { createMs: t1 - t0, workMs: t2 - t1, listMs: t3 - t2, cpuMs: (cpu.user + cpu.system) / 1000 };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** Scenario 8: the workload `runs` times, each on a new database file; the median of each phase. */
export async function queue(ctx: BenchContext, w: QueueWorkload = QUEUE_WORKLOAD): Promise<ScenarioOutcome> {
  const dir = path.join(ctx.runDir, 'queue');
  const passes: Phases[] = [];
  for (let run = 0; run < w.runs; run++) {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const store = new SqliteJobStore(openDatabase(path.join(dir, 'vidvar.db')));
    try {
      passes.push(runQueueWorkload(store, w));
    } finally {
      store.close();
    }
  }
  const phase = (key: keyof Phases) => median(passes.map((p) => p[key]));
  const totals = passes.map((p) => p.createMs + p.workMs + p.listMs);
  const figures: Figure[] = [
    { key: 'queue.totalMs', label: 'queue workload, total (median)', value: median(totals), unit: 'ms' },
    { key: 'queue.cpuMs', label: 'queue workload, CPU time (median)', value: phase('cpuMs'), unit: 'ms' },
    { key: 'queue.createMs', label: 'queue: create the jobs', value: phase('createMs'), unit: 'ms' },
    { key: 'queue.workMs', label: 'queue: claim, progress, finish', value: phase('workMs'), unit: 'ms' },
    { key: 'queue.listMs', label: 'queue: list every job', value: phase('listMs'), unit: 'ms' },
  ];
  const notes = [
    `${w.jobs} jobs × ${w.outputsPerJob} outputs, ${w.ticksPerOutput} progress writes and job reads per output, ` +
      `${w.listings} full listings; ${w.runs} runs on a new file each, medians; Node ${process.version}`,
  ];
  return { figures, notes };
}
