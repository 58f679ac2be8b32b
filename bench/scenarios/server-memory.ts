import { stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchContext, ScenarioOutcome } from '../context.js';
import { startSampler } from '../measure.js';
import { ensureLargeVideo } from '../media.js';
import { readProcStatus } from '../procfs.js';
import type { Figure } from '../report.js';
import type { RunningServer } from '../server.js';

/**
 * Scenario 6: the server's memory must stay flat whatever the file size. Idle RSS, then the peak while
 * three large tus uploads run at once, then the peak while ZIPs totalling ≥ zipBytes stream out.
 */

const MAX_PARALLEL_DOWNLOADS = 4;

async function idleRss(pid: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    samples.push((await readProcStatus(pid))?.rssBytes ?? 0);
    await sleep(200);
  }
  return samples.sort((a, b) => a - b)[2] as number;
}

async function peakRootRss(pid: number, work: () => Promise<void>): Promise<number> {
  const sampler = startSampler({ rootPid: pid, intervalMs: 100 });
  const failure = await work().then(
    () => null,
    (error: unknown) => error,
  );
  const peaks = await sampler.stop();
  if (failure) throw failure;
  return peaks.rootRssBytes;
}

function memoryFigures(key: string, label: string, idle: number, peak: number): Figure[] {
  return [
    { key: `${key}.peakRss`, label: `server RSS peak during ${label}`, value: peak, unit: 'bytes' },
    { key: `${key}.deltaRss`, label: `server RSS delta during ${label}`, value: peak - idle, unit: 'bytes' },
  ];
}

export async function serverMemory(
  ctx: BenchContext,
  server: RunningServer,
  zipJobId: string,
): Promise<ScenarioOutcome> {
  const { files, bytesEach } = ctx.workload.uploads;
  const large = await ensureLargeVideo(bytesEach);
  const largeBytes = (await stat(large)).size;
  const client = server.client;
  const idleBeforeUploads = await idleRss(server.pid);
  const uploadStarted = performance.now();
  const uploadPeak = await peakRootRss(server.pid, async () => {
    await Promise.all(Array.from({ length: files }, () => client.tusUpload(large)));
  });
  const uploadSec = (performance.now() - uploadStarted) / 1000;

  const idleBeforeZip = await idleRss(server.pid);
  const zipSize = await client.downloadZip(zipJobId);
  const downloads = Math.max(1, Math.ceil(ctx.workload.zipBytes / zipSize));
  let streamed = 0;
  let next = 0;
  const zipPeak = await peakRootRss(server.pid, async () => {
    const lanes = Array.from({ length: Math.min(MAX_PARALLEL_DOWNLOADS, downloads) }, async (_, lane) => {
      while (next < downloads) {
        next++;
        // Lane 0 reads slowly, so the server must hold back rather than buffer.
        // Await first: `streamed += await …` would read `streamed` before the await and lose the other lanes' bytes.
        const bytes = await client.downloadZip(zipJobId, lane === 0 ? 1 : 0);
        streamed += bytes;
      }
    });
    await Promise.all(lanes);
  });
  const lifetime = await readProcStatus(server.pid);
  return {
    figures: [
      {
        key: 'memory.idleRss',
        label: 'server RSS idle (before uploads)',
        value: idleBeforeUploads,
        unit: 'bytes',
      },
      ...memoryFigures('memory.upload', `${files} concurrent uploads`, idleBeforeUploads, uploadPeak),
      { key: 'memory.uploadBytes', label: 'bytes uploaded', value: files * largeBytes, unit: 'bytes' },
      { key: 'memory.uploadSec', label: 'upload time', value: uploadSec, unit: 's' },
      {
        key: 'memory.idleRssBeforeZip',
        label: 'server RSS idle (before ZIPs)',
        value: idleBeforeZip,
        unit: 'bytes',
      },
      ...memoryFigures('memory.zip', 'ZIP downloads', idleBeforeZip, zipPeak),
      { key: 'memory.zipBytes', label: 'ZIP bytes streamed', value: streamed, unit: 'bytes' },
      {
        key: 'memory.lifetimePeakRss',
        label: 'server RSS lifetime peak (VmHWM)',
        value: lifetime?.hwmBytes ?? null,
        unit: 'bytes',
      },
    ],
    notes: [
      `uploads: ${files} × the same ${(largeBytes / 1e6).toFixed(0)} MB real video at once over tus (16 MB PATCH chunks)`,
      `ZIP: no single job of this workload reaches ${(ctx.workload.zipBytes / 1e6).toFixed(0)} MB, so the scenario 1 ZIP ` +
        `(${(zipSize / 1e6).toFixed(1)} MB) was streamed ${downloads}× (${Math.min(MAX_PARALLEL_DOWNLOADS, downloads)} at ` +
        'once, one reader slowed down); RSS sampled every 100 ms',
    ],
  };
}
