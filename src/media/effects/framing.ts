import { even } from '../plan/output-format.js';
import type { Intensity } from '../types.js';
import { defineEffect, num, range, round, sampleSpecs, spread, text } from './params.js';
import { maxSafeTilt, safeZoomOffsets } from './safe-area.js';
import type { EffectDefinition, ParamSpecs } from './types.js';

function where(x: number, y: number): string {
  const horizontal = x < 0.34 ? 'left' : x > 0.66 ? 'right' : 'centre';
  const vertical = y < 0.34 ? 'top' : y > 0.66 ? 'bottom' : 'middle';
  return `${vertical}-${horizontal}`;
}

const ZOOM: Record<Intensity, [number, number]> = {
  subtle: [1.04, 1.08],
  medium: [1.08, 1.13],
  strong: [1.12, 1.2],
};

/**
 * With text protected: below MAX_SAFE_ZOOM (1.11), so offsets keep the margin on every edge; not at
 * its top, where only the centre would, and siblings would all look alike to vPDQ.
 */
const SAFE_ZOOM: Record<Intensity, [number, number]> = {
  subtle: [1.04, 1.07],
  medium: [1.05, 1.09],
  strong: [1.06, 1.1],
};

const zoomRanges = (zooms: [number, number]): ParamSpecs => ({
  zoom: range(...zooms, 3),
  x: range(0, 1, 2),
  y: range(0, 1, 2),
});

/** Crops a window of 1/zoom of the frame at an offset and scales it back up: the framing moves. */
export const zoom = defineEffect({
  id: 'zoom',
  filters: ['crop', 'scale'],
  cpuCost: 1.3,
  family: 'framing',
  label: 'Zoom and reframe',
  kind: 'video',
  group: 'geometry',
  // Inside the safe margin a zoom keeps ≥ 90 % of the picture: too little for vPDQ to see a new video
  // (1.05–1.07× zooms with colour changes matched their 1080×1920 source on 100 % of frames, and
  // failed after 3 tries). Protected plans frame with the border or a tilt, and zoom only when both
  // are left out (a weight of 0 is drawn only when nothing else remains).
  weight: (_intensity, protect) => (protect ? 0 : 5),
  ranges: (intensity) => zoomRanges(ZOOM[intensity]),
  protectedRanges: (intensity) => zoomRanges(SAFE_ZOOM[intensity]),
  sample: (rng, intensity, _media, protect = false) => {
    if (!protect) return sampleSpecs(rng, zoomRanges(ZOOM[intensity]));
    // The offsets that keep the margin depend on the zoom drawn first: a stronger zoom stays nearer the centre.
    const { zoom: amount } = sampleSpecs(rng, { zoom: range(...SAFE_ZOOM[intensity], 3) });
    const [lo, hi] = safeZoomOffsets(amount as number);
    return { ...sampleSpecs(rng, { x: range(lo, hi, 2), y: range(lo, hi, 2) }), zoom: amount as number };
  },
  videoFilters: (p, ctx) => {
    const w = even(ctx.width / num(p, 'zoom'));
    const h = even(ctx.height / num(p, 'zoom'));
    const x = Math.round((ctx.width - w) * num(p, 'x'));
    const y = Math.round((ctx.height - h) * num(p, 'y'));
    return [`crop=${w}:${h}:${x}:${y}`, `scale=${ctx.width}:${ctx.height}`];
  },
  describe: (p) => `zoom ${round(num(p, 'zoom') * 100, 1)}% towards ${where(num(p, 'x'), num(p, 'y'))}`,
});

const TILT_WEIGHT: Record<Intensity, number> = { subtle: 0, medium: 0.5, strong: 1 };
const TILT: Record<Intensity, [number, number]> = {
  subtle: [0.5, 1],
  medium: [0.8, 1.6],
  strong: [1.5, 2.5],
};

/**
 * A small rotation, enlarged just enough that no corner shows. Drawn by `perspective`, which maps
 * the four corners of a turned, shrunken window of the picture to the output's corners: one
 * bilinear resampling at output size, where `scale` + `rotate` took two passes and 1.6× the CPU.
 * Its coordinate table (8 bytes per output pixel, 17 MB at 1080×1920) fits the memory budget's margin.
 * Still the costliest filter we use, so the planner picks it rarely: never at subtle, 1 in 13
 * geometries at medium, 1 in 7 at strong.
 */
export const tilt = defineEffect({
  id: 'tilt',
  filters: ['perspective'],
  cpuCost: 6.5,
  family: 'framing',
  label: 'Tilt',
  kind: 'video',
  group: 'geometry',
  weight: (intensity) => TILT_WEIGHT[intensity],
  ranges: (intensity) => ({ degrees: spread(0, ...TILT[intensity], 2) }),
  protectedRanges: (intensity, media) => {
    const [min, max] = TILT[intensity];
    const safe = Math.min(max, maxSafeTilt(media.video.width, media.video.height));
    return safe < min ? null : { degrees: spread(0, min, safe, 2) };
  },
  videoFilters: (p, ctx) => [`perspective=${tiltWindow(num(p, 'degrees'), ctx.width, ctx.height)}`],
  describe: (p) => `tilt ${num(p, 'degrees')}°`,
});

/**
 * The window of the picture a tilt shows, as perspective's source corners (top-left, top-right,
 * bottom-left, bottom-right): the output rectangle shrunk by the enlargement that keeps its turned
 * corners inside the picture, then turned against the tilt about the centre — so the picture
 * appears turned clockwise by positive degrees, as FFmpeg's `rotate` would turn it.
 */
export function tiltWindow(degrees: number, width: number, height: number): string {
  const radians = (degrees * Math.PI) / 180;
  const aspect = Math.max(width, height) / Math.min(width, height);
  const enlarge = Math.cos(Math.abs(radians)) + aspect * Math.sin(Math.abs(radians));
  const cos = Math.cos(-radians) / enlarge;
  const sin = Math.sin(-radians) / enlarge;
  const corners = [
    [0, 0],
    [width, 0],
    [0, height],
    [width, height],
  ] as const;
  return corners
    .map(([x, y], i) => {
      const dx = x - width / 2;
      const dy = y - height / 2;
      const sx = round(width / 2 + dx * cos - dy * sin, 3);
      const sy = round(height / 2 + dx * sin + dy * cos, 3);
      return `x${i}=${sx}:y${i}=${sy}`;
    })
    .join(':')
    .concat(':interpolation=linear');
}

const BORDER: Record<Intensity, [number, number]> = {
  subtle: [0.015, 0.03],
  medium: [0.03, 0.05],
  strong: [0.045, 0.07],
};
/**
 * With text protected, the border is the one reframing that may move the picture far (it hides
 * nothing: the whole picture stays in view), so it is wider, placed anywhere, and drawn more often than
 * a zoom (5 : 2): small centred zooms leave siblings too alike for vPDQ (measured in the README).
 */
const SAFE_BORDER: Record<Intensity, [number, number]> = {
  subtle: [0.03, 0.05],
  medium: [0.04, 0.07],
  strong: [0.05, 0.09],
};
const BORDER_COLOURS = ['black', 'white', '0x1a1a1a', '0xf2f2f2'] as const;
const COLOUR_NAMES: Record<string, string> = {
  black: 'black',
  white: 'white',
  '0x1a1a1a': 'charcoal',
  '0xf2f2f2': 'off-white',
};

/** Shrinks the picture slightly inside a plain frame. */
export const border = defineEffect({
  id: 'border',
  filters: ['scale', 'pad'],
  cpuCost: 1.3,
  family: 'framing',
  label: 'Frame border',
  kind: 'video',
  group: 'geometry',
  weight: (_intensity, protect) => (protect ? 5 : 1),
  ranges: (intensity) => ({
    size: range(...BORDER[intensity], 3),
    colour: { type: 'choice', values: BORDER_COLOURS },
  }),
  protectedRanges: (intensity) => ({
    size: range(...SAFE_BORDER[intensity], 3),
    colour: { type: 'choice', values: BORDER_COLOURS },
    x: range(0, 1, 2),
    y: range(0, 1, 2),
  }),
  videoFilters: (p, ctx) => {
    // Even offsets keep chroma aligned; the size is a fraction of the short side.
    const edge = even(num(p, 'size') * Math.min(ctx.width, ctx.height));
    // The picture keeps its proportions inside the border, never squeezed and never cut: it fits the
    // window the border leaves, and the axis with room to spare gets a wider border. (Scaling straight
    // to that window made pixels 4 % wide on a 9:16 frame.)
    const fit = Math.min(1 - (2 * edge) / ctx.width, 1 - (2 * edge) / ctx.height);
    const w = even(ctx.width * fit);
    const h = even(ctx.height * fit);
    // Centred unless placed (x, y: where the picture sits in the free space, protected plans only).
    const at = (key: string, free: number) => Math.round((key in p ? free * num(p, key) : free / 2) / 2) * 2;
    return [
      `scale=${w}:${h}`,
      `pad=${ctx.width}:${ctx.height}:${at('x', ctx.width - w)}:${at('y', ctx.height - h)}:${text(p, 'colour')}`,
    ];
  },
  describe: (p) =>
    `${COLOUR_NAMES[text(p, 'colour')] ?? 'plain'} border ${round(num(p, 'size') * 100, 1)}% of the short side` +
    ('x' in p ? `, picture towards ${where(num(p, 'x'), num(p, 'y'))}` : ''),
});

export const mirror = defineEffect({
  id: 'mirror',
  filters: ['hflip'],
  cpuCost: 0.5,
  family: 'orientation',
  label: 'Mirror',
  kind: 'video',
  ranges: () => ({}),
  videoFilters: () => ['hflip'],
  describe: () => 'mirrored left to right',
});

export const FRAMING_EFFECTS: readonly EffectDefinition[] = [zoom, tilt, border, mirror];
