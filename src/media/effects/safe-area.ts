/**
 * "Protect text and logos": reframing may not cut into the part of the frame where an ad puts its
 * words. That part is data, with its reason, so the planner, the tests and the README agree on it.
 */
export const TEXT_SAFE_MARGIN = {
  /** Fraction of the width (and of the height) that reframing may take from any one edge. */
  fraction: 0.05,
  reason:
    'Broadcast graphics-safe area (EBU R 95): text and logos sit inside the central 90 % of the width ' +
    'and height, and social platforms cover the outer edges with their own buttons, so editors keep ' +
    'words further in still. Taking at most 5 % from an edge never cuts a word placed by that rule.',
} as const;

/**
 * The most a centred zoom may enlarge while keeping the margin on both sides: a 1/zoom window takes
 * (1 - 1/zoom) of the width in all, half from each side at best.
 */
export const MAX_SAFE_ZOOM = 1 / (1 - 2 * TEXT_SAFE_MARGIN.fraction);

/**
 * The window offsets (0 = left or top, 1 = right or bottom) a zoom may use while taking at most the
 * margin from either edge: [lo, hi], 2 decimals, rounded inwards. Empty (lo > hi) when the zoom is
 * too strong for any offset.
 */
export function safeZoomOffsets(zoom: number): [lo: number, hi: number] {
  const taken = 1 - 1 / zoom;
  if (taken <= TEXT_SAFE_MARGIN.fraction) return [0, 1];
  const slack = TEXT_SAFE_MARGIN.fraction / taken;
  return [Math.ceil((1 - slack) * 100 - 1e-9) / 100, Math.floor(slack * 100 + 1e-9) / 100];
}

/** True when a zoom window (offsets as planned) takes at most the margin from each edge. */
export function zoomKeepsSafeArea(zoom: number, x: number, y: number): boolean {
  const taken = 1 - 1 / zoom;
  const within = (offset: number) =>
    taken * offset <= TEXT_SAFE_MARGIN.fraction + 1e-9 &&
    taken * (1 - offset) <= TEXT_SAFE_MARGIN.fraction + 1e-9;
  return within(x) && within(y);
}

/**
 * True when a tilt of this many degrees (framing.ts draws it enlarged just enough that no corner
 * shows) still shows the whole text-safe rectangle: each of its corners, turned with the picture and
 * enlarged, must land inside the frame.
 */
export function tiltKeepsSafeArea(degrees: number, width: number, height: number): boolean {
  const radians = (Math.abs(degrees) * Math.PI) / 180;
  const aspect = Math.max(width, height) / Math.min(width, height);
  const enlarge = Math.cos(radians) + aspect * Math.sin(radians);
  const inner = 0.5 - TEXT_SAFE_MARGIN.fraction;
  // The safe rectangle is symmetric: two corners stand for all four, whichever way the tilt turns.
  return [1, -1].every((sign) => {
    const dx = inner * width;
    const dy = sign * inner * height;
    const x = enlarge * (dx * Math.cos(radians) - dy * Math.sin(radians));
    const y = enlarge * (dx * Math.sin(radians) + dy * Math.cos(radians));
    return Math.abs(x) <= width / 2 + 1e-9 && Math.abs(y) <= height / 2 + 1e-9;
  });
}

/** The largest tilt (degrees, 2 decimals, rounded down) that keeps the safe area of this frame whole. */
export function maxSafeTilt(width: number, height: number): number {
  let lo = 0;
  let hi = 10;
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (tiltKeepsSafeArea(mid, width, height)) lo = mid;
    else hi = mid;
  }
  return Math.floor(lo * 100) / 100;
}
