import type { Intensity, MediaInfo } from '../types.js';
import { defineEffect, num, range, round, signed, spread, text } from './params.js';
import type { EffectDefinition } from './types.js';

type Bounds = Record<Intensity, [number, number]>;

const hasAudio = (media: MediaInfo) => media.audio !== null;

const VOLUME: Bounds = { subtle: [1, 2], medium: [2, 3.5], strong: [3, 5] };

export const volume = defineEffect({
  id: 'volume',
  filters: ['volume'],
  family: 'audio',
  label: 'Volume',
  kind: 'audio',
  available: hasAudio,
  ranges: (intensity) => ({ db: spread(0, ...VOLUME[intensity], 1) }),
  audioFilters: (p) => [`volume=${num(p, 'db')}dB`],
  describe: (p) => `volume ${signed(num(p, 'db'))} dB`,
});

const PITCH: Bounds = { subtle: [0.3, 0.6], medium: [0.6, 1.2], strong: [1, 2] };

/**
 * Pitch without a change of length: play at a different sample rate (pitch and speed move),
 * resample back, then undo the speed change with atempo.
 */
export const pitch = defineEffect({
  id: 'pitch',
  filters: ['asetrate', 'aresample', 'atempo'],
  family: 'audio',
  label: 'Pitch',
  kind: 'audio',
  available: hasAudio,
  ranges: (intensity) => ({ semitones: spread(0, ...PITCH[intensity], 2) }),
  audioFilters: (p, ctx) => {
    const rate = Math.round(ctx.sampleRate * 2 ** (num(p, 'semitones') / 12));
    return [`asetrate=${rate}`, `aresample=${ctx.sampleRate}`, `atempo=${round(ctx.sampleRate / rate, 6)}`];
  },
  describe: (p) => `pitch ${signed(num(p, 'semitones'))} semitones`,
});

const EQ_GAIN: Bounds = { subtle: [1.5, 3], medium: [3, 5], strong: [4, 7] };
const EQ_BANDS = ['bass', 'mid', 'treble'] as const;

function bandFilter(band: string, gain: number): string {
  if (band === 'bass') return `bass=g=${gain}:f=110`;
  if (band === 'treble') return `treble=g=${gain}:f=5000`;
  return `equalizer=f=1200:t=o:w=1.5:g=${gain}`;
}

export const equalizer = defineEffect({
  id: 'eq',
  filters: ['bass', 'treble', 'equalizer'],
  family: 'audio',
  label: 'Equaliser',
  kind: 'audio',
  available: hasAudio,
  ranges: (intensity) => ({
    band: { type: 'choice', values: EQ_BANDS },
    gain: spread(0, ...EQ_GAIN[intensity], 1),
  }),
  audioFilters: (p) => [bandFilter(text(p, 'band'), num(p, 'gain'))],
  describe: (p) => `${text(p, 'band')} ${signed(num(p, 'gain'))} dB`,
});

const NOISE_AMPLITUDE: Bounds = { subtle: [0.001, 0.002], medium: [0.002, 0.004], strong: [0.004, 0.007] };

/** A faint noise bed (about -50 dBFS), seeded so the same plan makes the same samples. */
export const noiseBed = defineEffect({
  id: 'noise-bed',
  filters: ['anoisesrc', 'aformat'],
  family: 'audio',
  label: 'Noise bed',
  kind: 'audio',
  available: hasAudio,
  ranges: (intensity) => ({
    amplitude: range(...NOISE_AMPLITUDE[intensity], 4),
    colour: { type: 'choice', values: ['pink', 'brown', 'white'] },
    seed: { type: 'int', min: 1, max: 2_147_483_647 },
  }),
  audioSource: (p, ctx) =>
    `anoisesrc=sample_rate=${ctx.sampleRate}:amplitude=${num(p, 'amplitude')}:color=${text(p, 'colour')}` +
    `:seed=${num(p, 'seed')},aformat=channel_layouts=stereo`,
  describe: (p) =>
    `faint ${text(p, 'colour')} noise at ${round(20 * Math.log10(num(p, 'amplitude')), 1)} dBFS`,
});

export const AUDIO_EFFECTS: readonly EffectDefinition[] = [volume, pitch, equalizer, noiseBed];
