import { even } from '../plan/output-format.js';
import type { FormatName, Layout } from '../plan/placement.js';
import { THUMBNAIL_MAX_WIDTH, thumbnailTime } from './side-outputs.js';

/**
 * A variation's frames, effects already applied, placed into each placement's frame: one `split`
 * after the effects, then per placement a scale and its fit. Decode and effects run once per
 * variation; only this and the encode run per placement.
 */

/** The filters this module writes. */
export const PLACEMENT_FILTERS: readonly string[] = [
  ...['split', 'scale', 'crop', 'pad', 'boxblur', 'eq', 'overlay', 'setsar', 'trim'],
];

interface Size {
  width: number;
  height: number;
}

/** One output of a variation: its placement, its frame size and whether it takes a thumbnail here. */
export interface PlacedOutput {
  format: FormatName;
  size: Size;
  thumbnail: boolean;
}

/** Even size at or above `value` (a cover never falls a pixel short of the frame). */
function evenUp(value: number): number {
  return Math.max(2, Math.ceil(value / 2) * 2);
}

/** Even offset at or below `value` (0 when the picture fills that side). */
function evenOffset(value: number): number {
  return Math.max(0, Math.floor(value / 2) * 2);
}

/**
 * The centred window of the picture with the frame's shape, scaled to the frame: what covering the
 * frame shows. Cropping first scales only the pixels kept (a 9:16 picture covering a 16:9 frame
 * would otherwise be scaled to 1920×3413 for the crop to throw 70 % of it away).
 */
function cover(from: Size, to: Size): string[] {
  const aspect = to.width / to.height;
  const w = Math.min(from.width, evenUp(from.height * aspect));
  const h = Math.min(from.height, evenUp(from.width / aspect));
  return [`crop=${w}:${h}`, `scale=${to.width}:${to.height}`];
}

/** The whole picture scaled to fit inside the frame, and where its top-left corner goes (centred, even). */
function inside(from: Size, to: Size): { w: number; h: number; x: number; y: number } {
  const s = Math.min(to.width / from.width, to.height / from.height);
  const w = Math.min(to.width, even(from.width * s));
  const h = Math.min(to.height, even(from.height * s));
  return { w, h, x: evenOffset((to.width - w) / 2), y: evenOffset((to.height - h) / 2) };
}

/**
 * Blur's background is drawn on a copy an eighth of the frame's size, blurred there and scaled up:
 * the blur then costs 1/64 of a full-size one and looks the same once enlarged (it has no detail).
 */
const BLUR_DOWNSCALE = 8;
const BLUR_RADIUS = 6;
/** Darker than the picture, so the eye goes to the picture in front. */
const BLUR_BRIGHTNESS = -0.12;

/** Graph lines that take `[input]` (a variation at `from`) to `[output]` in the placement's frame. */
export function placementLines(
  input: string,
  output: string,
  from: Size,
  to: Size,
  layout: Layout,
): string[] {
  if (from.width === to.width && from.height === to.height) return [`${input}setsar=1${output}`];
  if (layout.fit === 'crop') return [`${input}${[...cover(from, to), 'setsar=1'].join(',')}${output}`];
  const fit = inside(from, to);
  const front = `scale=${fit.w}:${fit.h}`;
  if (layout.fit === 'pad') {
    const pad = `pad=${to.width}:${to.height}:${fit.x}:${fit.y}:color=${layout.padColour}`;
    return [`${input}${front},${pad},setsar=1${output}`];
  }
  const small = { width: even(to.width / BLUR_DOWNSCALE), height: even(to.height / BLUR_DOWNSCALE) };
  const label = output.slice(1, -1);
  const back = [
    ...cover(from, small),
    `boxblur=${BLUR_RADIUS}:2`,
    `eq=brightness=${BLUR_BRIGHTNESS}`,
    `scale=${to.width}:${to.height}`,
    'setsar=1',
  ];
  return [
    `${input}split=2[${label}b][${label}f]`,
    `[${label}b]${back.join(',')}[${label}bg]`,
    `[${label}f]${front},setsar=1[${label}fg]`,
    `[${label}bg][${label}fg]overlay=${fit.x}:${fit.y},setsar=1${output}`,
  ];
}

/**
 * The graph of a variation's placements, from `[creative]` (the frames after its effects): labels
 * `[v<i>o<j>]` for each output's encoder and `[v<i>o<j>tho]` for its thumbnail.
 */
export function placementsGraph(
  i: number,
  creative: string,
  from: Size,
  outputs: readonly PlacedOutput[],
  layout: Layout,
  durationSec: number,
): string[] {
  const graph: string[] = [];
  const inputs = outputs.map((_, j) => `[v${i}p${j}]`);
  if (outputs.length > 1) graph.push(`${creative}split=${outputs.length}${inputs.join('')}`);
  outputs.forEach((out, j) => {
    const input = outputs.length > 1 ? (inputs[j] as string) : creative;
    const label = `v${i}o${j}`;
    if (!out.thumbnail) {
      graph.push(...placementLines(input, `[${label}]`, from, out.size, layout));
      return;
    }
    graph.push(...placementLines(input, `[${label}pl]`, from, out.size, layout));
    graph.push(`[${label}pl]split=2[${label}][${label}th]`);
    const pick = `trim=start=${thumbnailTime(durationSec)},trim=end_frame=1`;
    const width = Math.min(THUMBNAIL_MAX_WIDTH, out.size.width);
    graph.push(`[${label}th]${pick},scale=${width}:-2[${label}tho]`);
  });
  return graph;
}
