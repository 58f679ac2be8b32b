import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { admitMedia } from '../../src/media/admission/admission.js';
import { isRefusal } from '../../src/media/admission/refusals.js';
import { FfmpegError } from '../../src/media/ffmpeg/ffmpeg-error.js';
import { DEFAULT_PROCESS_LIMITS } from '../../src/media/ffmpeg/process-limits.js';
import { engineOptions } from '../../src/media/options.js';
import { planJob } from '../../src/media/plan/planner.js';
import { createRandom } from '../../src/media/plan/random.js';
import { renderVariations } from '../../src/media/render/render.js';
import type { MediaInfo } from '../../src/media/types.js';
import { cachedFile, clip } from '../support/clips.js';
import { mutants, walkBoxes } from './support/mp4-mutations.js';

/**
 * Hundreds of seeded mutations of a valid small MP4 go through admission, and a sample of the
 * admitted ones through a render, in this process, under the engine's real limits. Each one ends as
 * an admitted file that renders (or fails its render typed), or a refusal a user can read — never a
 * hang, never an untyped error, never harm to the process running the engine.
 *
 * VIDVAR_FUZZ_COUNT (default 200) mutants, VIDVAR_FUZZ_RENDERS (default 8) renders, VIDVAR_FUZZ_SEED.
 */
const COUNT = Number(process.env.VIDVAR_FUZZ_COUNT ?? 200);
const RENDERS = Number(process.env.VIDVAR_FUZZ_RENDERS ?? 8);
const SEED = process.env.VIDVAR_FUZZ_SEED ?? 'vidvar-fuzz-1';
/** Two at a time: the machine has two cores. */
const CONCURRENCY = 2;
/** Far above what one small file takes; reaching it means a hang. */
const DEADLINE_MS = 30_000;

const scratch = mkdtempSync(path.join(os.tmpdir(), 'vidvar-fuzz-'));
const options = engineOptions({
  threads: 1,
  preset: 'ultrafast',
  maxLongSide: 160,
  fanOut: 1,
  stallTimeoutMs: 10_000,
  tmpDir: scratch,
  processLimits: { ...DEFAULT_PROCESS_LIMITS, memoryBytes: 512 * 1024 ** 2, cpuFloorSec: 30 },
});

type Outcome =
  | { kind: 'admitted'; media: MediaInfo }
  | { kind: 'refused'; code: string }
  | { kind: 'unexpected'; error: unknown }
  | { kind: 'hang' };

const unexpected: unknown[] = [];
const onUnexpected = (error: unknown) => unexpected.push(error);
let ticks = 0;
let ticker: NodeJS.Timeout;
/** The same clip twice: index at the end (FFmpeg's default) and at the front (faststart). */
let originals: Buffer[];

beforeAll(() => {
  process.on('unhandledRejection', onUnexpected);
  process.on('uncaughtException', onUnexpected);
  // Proves the event loop kept turning while FFmpeg chewed on hostile files.
  ticker = setInterval(() => {
    ticks += 1;
  }, 100);
  const source = clip({ width: 160, height: 284, duration: 1 });
  const faststart = cachedFile('fuzz-source-faststart.mp4', () => {
    const out = path.join(scratch, 'faststart.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', source, '-c', 'copy', '-movflags', '+faststart', out]);
    return readFileSync(out);
  });
  originals = [readFileSync(source), readFileSync(faststart)];
});
afterAll(() => {
  clearInterval(ticker);
  process.off('unhandledRejection', onUnexpected);
  process.off('uncaughtException', onUnexpected);
  rmSync(scratch, { recursive: true, force: true });
});

async function withDeadline<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T | 'hang'> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'hang'>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve('hang');
    }, DEADLINE_MS);
  });
  try {
    return await Promise.race([run(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function admit(file: string, name: string): Promise<Outcome> {
  try {
    const media = await withDeadline((signal) => admitMedia(file, name, options, signal));
    return media === 'hang' ? { kind: 'hang' } : { kind: 'admitted', media };
  } catch (error) {
    if (isRefusal(error) && error.status === 422 && error.message.includes(name)) {
      return { kind: 'refused', code: error.code };
    }
    return { kind: 'unexpected', error };
  }
}

async function pool<T, R>(
  items: T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: limit }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  });
  await Promise.all(lanes);
  return results;
}

/** Processes this test process started that are still alive (FFmpeg left behind). */
function children(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

function openUnder(dir: string): string[] {
  return readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      return target.startsWith(dir) ? [target] : [];
    } catch {
      return [];
    }
  });
}

it('the sources are valid MP4s with the boxes the mutations aim at, index last and first', async () => {
  const orders = [];
  for (const [i, original] of originals.entries()) {
    const types = walkBoxes(original).map((b) => b.type);
    for (const type of ['moov', 'mdat', 'trak', 'stsz', 'stco', 'stts', 'stsc'])
      expect(types).toContain(type);
    orders.push(types.indexOf('moov') < types.indexOf('mdat') ? 'moov first' : 'mdat first');
    const file = path.join(scratch, `original-${i}.mp4`);
    writeFileSync(file, original);
    expect((await admit(file, 'original.mp4')).kind).toBe('admitted');
  }
  expect(orders.sort()).toEqual(['mdat first', 'moov first']);
});

it(`${COUNT} mutants end as an admitted file or a clean refusal; admitted ones render or fail typed`, async () => {
  const random = createRandom(SEED);
  const half = Math.ceil(COUNT / 2);
  const inputs = [
    ...mutants(originals[0] as Buffer, half, random.fork('index last')),
    ...mutants(originals[1] as Buffer, COUNT - half, random.fork('index first')),
  ];
  const dir = path.join(scratch, 'mutants');
  mkdirSync(dir);
  const rssBefore = process.memoryUsage().rss;
  const ticksBefore = ticks;

  const outcomes = await pool(inputs, CONCURRENCY, async (mutant, i) => {
    const file = path.join(dir, `m${i}.mp4`);
    writeFileSync(file, mutant.bytes);
    const outcome = await admit(file, `mutant-${i}.mp4`);
    return { i, label: mutant.label, file, outcome };
  });

  const bad = outcomes.filter((o) => o.outcome.kind === 'unexpected' || o.outcome.kind === 'hang');
  expect(
    bad.map(
      (o) => `#${o.i} ${o.label}: ${o.outcome.kind === 'unexpected' ? String(o.outcome.error) : 'hang'}`,
    ),
  ).toEqual([]);
  const admitted = outcomes.filter((o) => o.outcome.kind === 'admitted');
  const refused = outcomes.filter((o) => o.outcome.kind === 'refused');
  // The corpus is varied: both outcomes occur, with several refusal reasons.
  expect(admitted.length).toBeGreaterThan(0);
  expect(refused.length).toBeGreaterThan(COUNT / 10);
  expect(new Set(refused.map((o) => (o.outcome as { code: string }).code)).size).toBeGreaterThanOrEqual(2);

  // Render an evenly spread sample of the admitted ones.
  const step = Math.max(1, Math.floor(admitted.length / RENDERS));
  const sample = admitted.filter((_, k) => k % step === 0).slice(0, RENDERS);
  const renders = await pool(sample, CONCURRENCY, async ({ i, label, file, outcome }) => {
    const media = (outcome as { media: MediaInfo }).media;
    const plan = planJob({
      seed: `fuzz-${i}`,
      intensity: 'medium',
      count: 1,
      sources: [media],
      preset: 'ultrafast',
    })[0]?.[0];
    const out = path.join(dir, `m${i}-out`);
    mkdirSync(out);
    try {
      const result = await withDeadline((signal) =>
        renderVariations({
          inputPath: file,
          media,
          options,
          signal,
          targets: plan
            ? [
                {
                  outputId: 'v1',
                  plan,
                  workPath: path.join(out, 'v1.part.mp4'),
                  finalPath: path.join(out, 'v1.mp4'),
                },
              ]
            : [],
        }),
      );
      if (result === 'hang') return `#${i} ${label}: render hang`;
      const [first] = result;
      if (first && !first.ok && !['render_failed', 'invalid_output'].includes(first.code)) {
        return `#${i} ${label}: untyped render failure ${first.code}`;
      }
      return first?.ok ? 'ok' : 'failed-typed';
    } catch (error) {
      // A source FFmpeg cannot even fingerprint fails the whole render, typed.
      return error instanceof FfmpegError ? 'failed-typed' : `#${i} ${label}: ${String(error)}`;
    }
  });
  expect(renders.filter((r) => r !== 'ok' && r !== 'failed-typed')).toEqual([]);
  expect(renders.length).toBe(Math.min(RENDERS, sample.length));

  // The process running the engine is unharmed.
  expect(unexpected).toEqual([]);
  expect(children()).toEqual([]);
  expect(openUnder(scratch)).toEqual([]);
  expect(ticks).toBeGreaterThan(ticksBefore);
  expect(process.memoryUsage().rss - rssBefore).toBeLessThan(256 * 1024 ** 2);
}, 600_000);
