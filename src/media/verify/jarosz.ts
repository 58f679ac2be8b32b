/**
 * The downsampling step of PDQ: a picture of any size and aspect becomes 64×64 luma. Each axis gets
 * two passes of a 1-D box filter (two boxes make a tent: a cheap low-pass that keeps the sampling
 * from aliasing) with a window of ceil(side / 128), then one sample is kept at the centre of each of
 * 64 equal slices. A box near an edge averages only the pixels that exist.
 *
 * The filters are linear and separable, so rows are filtered and decimated to 64 columns first and
 * only those 64 columns are then filtered vertically: the same numbers for a fraction of the work.
 */
export const PDQ_SIDE = 64;

/** Pixel layouts a frame may come in: FFmpeg's `gray` (luma only) or `rgb24` (packed R, G, B). */
export type PixelFormat = 'gray' | 'rgb24';

export interface LumaFrame {
  data: Uint8Array;
  width: number;
  height: number;
  format: PixelFormat;
}

export function jaroszWindow(side: number): number {
  return Math.ceil(side / (2 * PDQ_SIDE));
}

/** Reusable scratch buffers: hashing frame after frame allocates nothing once they are big enough. */
export class JaroszDownsampler {
  private line = new Float64Array(0);
  private scratch = new Float64Array(0);
  private columns = new Float64Array(0);

  /** Writes the 64×64 filtered luma of `frame` (row-major, 0–255 scale) into `out`. */
  downsample(frame: LumaFrame, out: Float64Array): void {
    const { width, height } = frame;
    const channels = frame.format === 'rgb24' ? 3 : 1;
    if (width < 1 || height < 1 || frame.data.length < width * height * channels) {
      throw new RangeError(
        `a ${width}×${height} ${frame.format} frame needs more than ${frame.data.length} bytes`,
      );
    }
    this.reserve(Math.max(width, height), height * PDQ_SIDE);
    const { line, scratch, columns } = this;
    const rowWindow = jaroszWindow(width);
    const columnWindow = jaroszWindow(height);
    for (let y = 0; y < height; y++) {
      readLumaRow(frame, y, channels, line);
      boxFilter(line, scratch, width, rowWindow);
      boxFilter(scratch, line, width, rowWindow);
      for (let x = 0; x < PDQ_SIDE; x++) columns[x * height + y] = line[sampleIndex(x, width)] as number;
    }
    for (let x = 0; x < PDQ_SIDE; x++) {
      const column = columns.subarray(x * height, (x + 1) * height);
      boxFilter(column, scratch, height, columnWindow);
      boxFilter(scratch, column, height, columnWindow);
      for (let y = 0; y < PDQ_SIDE; y++) out[y * PDQ_SIDE + x] = column[sampleIndex(y, height)] as number;
    }
  }

  private reserve(longSide: number, columnCells: number): void {
    if (this.line.length < longSide) {
      this.line = new Float64Array(longSide);
      this.scratch = new Float64Array(longSide);
    }
    if (this.columns.length < columnCells) this.columns = new Float64Array(columnCells);
  }
}

/** The centre of the i-th of 64 equal slices of a side. */
function sampleIndex(i: number, side: number): number {
  return Math.floor(((i + 0.5) * side) / PDQ_SIDE);
}

/** Luma as PDQ defines it (BT.601 weights on R, G, B); a gray frame already is luma. */
function readLumaRow(frame: LumaFrame, y: number, channels: number, line: Float64Array): void {
  const { data, width } = frame;
  let i = y * width * channels;
  if (channels === 1) {
    for (let x = 0; x < width; x++) line[x] = data[i++] as number;
    return;
  }
  for (let x = 0; x < width; x++, i += 3) {
    line[x] = 0.299 * (data[i] as number) + 0.587 * (data[i + 1] as number) + 0.114 * (data[i + 2] as number);
  }
}

/**
 * Mean over a window of `window` samples around each position: floor(window / 2) after it and the
 * rest before it, clipped to the line. A running sum makes it linear in n whatever the window.
 */
function boxFilter(src: Float64Array, dst: Float64Array, n: number, window: number): void {
  const after = Math.floor(window / 2);
  const before = window - 1 - after;
  let sum = 0;
  let count = 0;
  for (let i = 0; i < Math.min(after, n); i++) {
    sum += src[i] as number;
    count++;
  }
  for (let i = 0; i < n; i++) {
    const enter = i + after;
    if (enter < n) {
      sum += src[enter] as number;
      count++;
    }
    const leave = i - before - 1;
    if (leave >= 0) {
      sum -= src[leave] as number;
      count--;
    }
    dst[i] = sum / count;
  }
}
