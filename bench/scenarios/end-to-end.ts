import type { BenchContext, ScenarioOutcome } from '../context.js';
import { startSampler } from '../measure.js';
import { readProcStat, readProcStatus } from '../procfs.js';
import type { RunningServer } from '../server.js';

/**
 * Scenario 1: the workload through the real server — multipart upload of every source, wait for done,
 * read the whole ZIP — timed from the first byte sent to the last byte received.
 */

/** CPU of the server process and of its reaped children (FFmpeg, ffprobe), apart. */
async function serverCpu(pid: number): Promise<{ own: number; total: number } | null> {
  const stat = await readProcStat(pid);
  return stat ? { own: stat.cpuSec, total: stat.cpuSec + stat.childrenCpuSec } : null;
}

async function runJob(ctx: BenchContext, server: RunningServer) {
  const w = ctx.workload;
  const cpuAtStart = await serverCpu(server.pid);
  const started = performance.now();
  const created = await server.client.createJob(ctx.sources, {
    count: w.count,
    intensity: w.intensity,
    seed: w.seed,
  });
  const uploaded = performance.now();
  ctx.log(`1: job ${created.id} created, rendering ${w.sources.length * w.count} variations`);
  const job = await server.client.waitForJob(created.id);
  const rendered = performance.now();
  if (job.status !== 'done')
    throw new Error(`the job ended ${job.status}: ${job.error ?? 'no reason given'}`);
  const zipBytes = await server.client.downloadZip(job.id);
  const finished = performance.now();
  // Read before anything else runs on this server: FFmpeg's CPU is in cutime/cstime once reaped.
  const cpuAtEnd = await serverCpu(server.pid);
  const hwmBytes = (await readProcStatus(server.pid))?.hwmBytes ?? null;
  return { job, zipBytes, cpuAtStart, cpuAtEnd, hwmBytes, started, uploaded, rendered, finished };
}

export async function endToEnd(
  ctx: BenchContext,
  server: RunningServer,
): Promise<ScenarioOutcome & { jobId: string }> {
  const w = ctx.workload;
  const variations = w.sources.length * w.count;
  const sampler = startSampler({ rootPid: server.pid, dir: server.dataDir });
  const measured = await runJob(ctx, server).finally(() => sampler.stop());
  const peaks = await sampler.stop();
  const { job, zipBytes, cpuAtStart, cpuAtEnd, hwmBytes, started, uploaded, rendered, finished } = measured;
  const wallSec = (finished - started) / 1000;
  const cpuSec = cpuAtStart === null || cpuAtEnd === null ? null : cpuAtEnd.total - cpuAtStart.total;
  const ownCpuSec = cpuAtStart === null || cpuAtEnd === null ? null : cpuAtEnd.own - cpuAtStart.own;
  const outputBytes = job.outputs.reduce((sum, o) => sum + (o.size ?? 0), 0);
  return {
    jobId: job.id,
    figures: [
      { key: 'e2e.wallSec', label: 'wall time (upload → last ZIP byte)', value: wallSec, unit: 's' },
      { key: 'e2e.secPerVariation', label: 'seconds per variation', value: wallSec / variations, unit: 's' },
      { key: 'e2e.uploadSec', label: 'upload + job creation', value: (uploaded - started) / 1000, unit: 's' },
      { key: 'e2e.renderSec', label: 'queued → done', value: (rendered - uploaded) / 1000, unit: 's' },
      { key: 'e2e.zipSec', label: 'ZIP download', value: (finished - rendered) / 1000, unit: 's' },
      { key: 'e2e.cpuSec', label: 'CPU seconds (server + FFmpeg, this job)', value: cpuSec, unit: 's' },
      { key: 'e2e.serverCpuSec', label: 'of which the server (Node) itself', value: ownCpuSec, unit: 's' },
      {
        key: 'e2e.cpuTotalSec',
        label: 'CPU seconds (server since start-up)',
        value: cpuAtEnd?.total ?? null,
        unit: 's',
      },
      {
        key: 'e2e.outputBytes',
        label: 'output bytes (sum of variations)',
        value: outputBytes,
        unit: 'bytes',
      },
      { key: 'e2e.zipBytes', label: 'ZIP bytes', value: zipBytes, unit: 'bytes' },
      {
        key: 'e2e.serverPeakRss',
        label: 'peak RSS, server process (VmHWM)',
        value: hwmBytes,
        unit: 'bytes',
      },
      {
        key: 'e2e.treePeakRss',
        label: 'peak RSS, server + FFmpeg (sampled)',
        value: peaks.treeRssBytes,
        unit: 'bytes',
      },
      {
        key: 'e2e.ffmpegPeakRss',
        label: 'peak RSS, largest child',
        value: peaks.childHwmBytes,
        unit: 'bytes',
      },
      {
        key: 'e2e.diskHighWater',
        label: 'disk high-water mark of DATA_DIR',
        value: peaks.diskBytes,
        unit: 'bytes',
      },
    ],
    notes: [
      `${w.sources.length} sources × ${w.count} variations, ${w.intensity}, seed ${w.seed}; ${peaks.samples} samples`,
    ],
  };
}
