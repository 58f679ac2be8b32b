import os from 'node:os';
import path from 'node:path';
import { runFfmpeg } from '../../src/media/ffmpeg/runner.js';
import type { EngineOptions } from '../../src/media/options.js';
import { outputGeometry } from '../../src/media/plan/output-format.js';
import type { MediaInfo } from '../../src/media/types.js';
import {
  HASH_FRAME_MAX_SIDE,
  hashBranchFilters,
  hashFrameSize,
} from '../../src/media/verify/frame-hash-command.js';
import { openFrameSink } from '../../src/media/verify/frame-sink.js';
import { readProcStat } from '../procfs.js';

/**
 * CPU milliseconds one frame costs to hash as a render's hash branch does it (luma plane, shrink to
 * 512 px, PDQ in Node), measured apart from any decode: raw frames of the render's size are read
 * once through the branch into a frame sink, and once into FFmpeg's null output; the difference over
 * 600 frames, least of three alternated rounds. A render's own CPU seconds move by ±10 % between runs
 * on the development VM, more than hashing costs: this isolates the part that is hashing.
 */
const LOOPS = 10;
const FRAMES = 60;
const ROUNDS = 3;

export async function hashFrameCostMs(
  source: string,
  media: MediaInfo,
  options: EngineOptions,
  scratchDir: string,
): Promise<number> {
  const { width, height } = outputGeometry(media, options.maxLongSide);
  const raw = path.join(scratchDir, 'hash-cost.yuv');
  await runFfmpeg({
    args: ['-y', '-i', source, '-frames:v', String(FRAMES), '-vf', `scale=${width}:${height}`].concat([
      '-pix_fmt',
      'yuv420p',
      '-f',
      'rawvideo',
      raw,
    ]),
    durationSec: 0,
    options,
  });
  const input = ['-stream_loop', String(LOOPS - 1), '-f', 'rawvideo', '-pix_fmt', 'yuv420p'].concat([
    '-s',
    `${width}x${height}`,
    '-r',
    '30',
    '-threads',
    '1',
    '-i',
    raw,
  ]);
  const run = (args: string[]) =>
    runFfmpeg({ args, durationSec: 0, options: { ...options, processLimits: null } });
  let plain = Number.POSITIVE_INFINITY;
  let hashed = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS; round++) {
    plain = Math.min(plain, await cpuOf(() => run([...input, '-f', 'null', '-'])));
    hashed = Math.min(
      hashed,
      await cpuOf(async () => {
        const size = hashFrameSize(width, height, HASH_FRAME_MAX_SIDE);
        const sink = await openFrameSink({
          socketDir: os.tmpdir(),
          ...size,
          format: 'gray',
          range: 'limited',
          rate: 30,
        });
        try {
          const filters = hashBranchFilters(width, height, null).join(',');
          await run([...input, '-vf', filters, '-fps_mode', 'passthrough', '-f', 'rawvideo', sink.target]);
          const hashes = await sink.hashes();
          if (hashes.length !== LOOPS * FRAMES) throw new Error(`hashed ${hashes.length} frames`);
        } finally {
          await sink.close();
        }
      }),
    );
  }
  return ((hashed - plain) * 1000) / (LOOPS * FRAMES);
}

/** CPU seconds of this process and of the children it reaped while `work` ran. */
export async function cpuOf(work: () => Promise<unknown>): Promise<number> {
  const before = await readProcStat(process.pid);
  await work();
  const after = await readProcStat(process.pid);
  if (!before || !after) throw new Error('no /proc/self/stat');
  return after.cpuSec + after.childrenCpuSec - (before.cpuSec + before.childrenCpuSec);
}
