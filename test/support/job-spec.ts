import { randomBytes } from 'node:crypto';
import type { NewJob } from '../../src/jobs/types.js';
import type { MediaInfo, VariationPlan } from '../../src/media/types.js';
import { fakeMedia } from './fake-media.js';

/** Jobs as the job service hands them to the store, for tests of the store, the worker and the janitor. */
export const newId = (prefix: string) => `${prefix}_${randomBytes(9).toString('base64url')}`;

/** A plan that is only stored and carried, never rendered by FFmpeg. */
export const fakePlan = (index: number): VariationPlan => ({
  index,
  intensity: 'medium',
  effects: [{ id: 'mirror', params: {} }],
  encode: { crf: 23, gop: 60, preset: 'ultrafast', x264Params: 'cabac=1:deblock=1', audioBitrateK: 128 },
  signature: `fake:${index}`,
});

const DAY_MS = 86_400_000;

export interface JobSpecOptions {
  /** Outputs of the one source, when no plans are given (default 2). */
  count?: number;
  plans?: VariationPlan[];
  /** The source as probed; its sizeBytes is the source's size. Default: a 2 s 320×568 clip. */
  media?: MediaInfo;
  seed?: string;
  createdAt?: number;
  /** Default: a day after createdAt. */
  expiresAt?: number;
}

/** A queued job of one source named ad.mp4 with fresh ids. */
export function jobSpec(o: JobSpecOptions = {}): NewJob {
  const media = o.media ?? fakeMedia({ width: 320, height: 568, durationSec: 2 });
  const plans = o.plans ?? Array.from({ length: o.count ?? 2 }, (_, i) => fakePlan(i + 1));
  const createdAt = o.createdAt ?? Date.now();
  const sourceId = newId('src');
  return {
    id: newId('job'),
    count: plans.length,
    intensity: 'medium',
    seed: o.seed ?? 'test-seed',
    createdAt,
    expiresAt: o.expiresAt ?? createdAt + DAY_MS,
    sources: [{ id: sourceId, name: 'ad.mp4', sizeBytes: media.sizeBytes, media }],
    outputs: plans.map((plan) => ({ id: newId('out'), sourceId, index: plan.index, plan })),
  };
}

/** The media of the store tests' jobs: a small portrait clip's facts, no file behind it. */
export const storeTestMedia = fakeMedia({
  width: 320,
  height: 568,
  durationSec: 2,
  sizeBytes: 200_000,
  bitRate: 800_000,
});

/** A job for the store tests: `outputs` variations of one source, created at `createdAt`. */
export const storeTestJob = (createdAt: number, outputs = 2, expiresAt?: number) =>
  jobSpec({ createdAt, count: outputs, expiresAt, media: storeTestMedia, seed: 'seed-1' });
