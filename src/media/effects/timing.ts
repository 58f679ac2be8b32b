import { MAX_OUTPUT_FPS, outputFps } from '../plan/output-format.js';
import type { EffectParams, Intensity, MediaInfo } from '../types.js';
import { defineEffect, num, percent, range, round, spread } from './params.js';
import type { EffectDefinition } from './types.js';

const TRIM_FRAMES: Record<Intensity, [number, number]> = { subtle: [1, 3], medium: [2, 6], strong: [4, 10] };
/** Each end loses at most this share of the clip, however short it is. */
const TRIM_MAX_SHARE = 0.04;

function trimSpec(intensity: Intensity, media: MediaInfo, minFrames: number) {
  const frame = 1 / outputFps(media);
  const cap = media.durationSec * TRIM_MAX_SHARE;
  const [lo, hi] = TRIM_FRAMES[intensity];
  const max = Math.min(hi * frame, cap);
  return range(Math.min(Math.max(minFrames, lo) * frame, max), max, 3);
}

/** Cuts a few frames from the head and the tail; audio is cut identically so sync holds. */
export const trim = defineEffect({
  id: 'trim',
  filters: ['trim', 'setpts', 'atrim', 'asetpts'],
  family: 'timing',
  label: 'Trim head and tail',
  kind: 'timing',
  available: (media) => media.durationSec >= 1,
  ranges: (intensity, media) => ({
    head: trimSpec(intensity, media, 1),
    tail: trimSpec(intensity, media, 0),
  }),
  // A constant shift, not PTS-STARTPTS: FFmpeg rebuilds the graph when a stream changes size mid-way,
  // and a rebuilt STARTPTS would restart the clock and cut the output short. It also keeps A/V offsets.
  videoFilters: (p, ctx) => [`trim=${trimWindow(p, ctx.durationSec)}`, `setpts=PTS-${num(p, 'head')}/TB`],
  audioFilters: (p, ctx) => [`atrim=${trimWindow(p, ctx.durationSec)}`, `asetpts=PTS-${num(p, 'head')}/TB`],
  retime: (p, durationSec) => Math.max(0, durationSec - num(p, 'head') - num(p, 'tail')),
  describe: (p) => `trimmed ${num(p, 'head')} s at the start and ${num(p, 'tail')} s at the end`,
});

function trimWindow(p: EffectParams, durationSec: number): string {
  const head = num(p, 'head');
  const tail = num(p, 'tail');
  return tail > 0 ? `start=${head}:end=${round(durationSec - tail, 3)}` : `start=${head}`;
}

const SPEED: Record<Intensity, [number, number]> = {
  subtle: [0.02, 0.04],
  medium: [0.04, 0.07],
  strong: [0.07, 0.12],
};

/** Faster or slower; atempo keeps the audio in step without changing its pitch. */
export const speed = defineEffect({
  id: 'speed',
  filters: ['setpts', 'atempo'],
  family: 'timing',
  label: 'Speed',
  kind: 'timing',
  ranges: (intensity) => ({ factor: spread(1, ...SPEED[intensity], 3) }),
  videoFilters: (p) => [`setpts=PTS/${num(p, 'factor')}`],
  audioFilters: (p) => [`atempo=${num(p, 'factor')}`],
  retime: (p, durationSec) => durationSec / num(p, 'factor'),
  describe: (p) => `speed ${percent(num(p, 'factor') - 1)}`,
});

/** Rates players and ad platforms know; a change stays within -20 %..+25 % of the source. */
const STANDARD_RATES = [23.976, 24, 25, 29.97, 30, 48, 50, 59.94, 60] as const;

function frameRateChoices(media: MediaInfo): number[] {
  const base = outputFps(media);
  const near = STANDARD_RATES.filter(
    (r) => r <= MAX_OUTPUT_FPS && r >= base * 0.8 && r <= base * 1.25 && Math.abs(r - base) / base >= 0.01,
  );
  if (near.length > 0) return [...near];
  // Unusual source rates (12, 15, 40 fps): a tenth slower or faster.
  return [round(base * 0.9, 3), round(Math.min(MAX_OUTPUT_FPS, base * 1.1), 3)].filter((r) => r !== base);
}

/** Re-times the video to another frame rate (frames are dropped or repeated, duration unchanged). */
export const frameRate = defineEffect({
  id: 'frame-rate',
  filters: [],
  family: 'timing',
  label: 'Frame rate',
  kind: 'timing',
  available: (media) => frameRateChoices(media).length > 0,
  ranges: (_intensity, media) => ({ fps: { type: 'choice', values: frameRateChoices(media) } }),
  outputFps: (p) => num(p, 'fps'),
  describe: (p) => `${num(p, 'fps')} frames per second`,
});

export const TIMING_EFFECTS: readonly EffectDefinition[] = [trim, speed, frameRate];
