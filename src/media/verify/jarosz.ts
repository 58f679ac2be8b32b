import { type AxisWeights, axisWeights, PDQ_SIDE } from './jarosz-weights.js';

/**
 * The downsampling step of PDQ: a picture of any size and aspect becomes 64×64 luma by the Jarosz
 * filter (see jarosz-weights.ts). The filter is linear and separable, so each row is reduced to its
 * 64 outputs first and those 64 columns are then reduced vertically: the same numbers as filtering
 * the whole picture twice along each axis, for about one multiply-add per pixel.
 */
export { PDQ_SIDE };

/** Pixel layouts a frame may come in: FFmpeg's `gray` (luma only) or `rgb24` (packed R, G, B). */
export type PixelFormat = 'gray' | 'rgb24';

export interface LumaFrame {
  data: Uint8Array;
  width: number;
  height: number;
  format: PixelFormat;
  /**
   * `limited`: gray bytes that are a video's luma plane as coded (16–235), taken without FFmpeg's
   * range conversion; stretched to 0–255 here, after the filter (default `full`).
   */
  range?: LumaRange;
}

export type LumaRange = 'full' | 'limited';

/** Limited-range luma spans 16–235; full range 0–255. */
const LIMITED_BLACK = 16;
const LIMITED_TO_FULL = 255 / 219;

/** Reusable weights and buffers: frame after frame of one size allocates nothing. */
export class JaroszDownsampler {
  private columnWeights: AxisWeights = axisWeights(PDQ_SIDE);
  private rowWeights: AxisWeights = axisWeights(PDQ_SIDE);
  private rows = new Float64Array(0);

  /** Writes the 64×64 filtered luma of `frame` (row-major, 0–255 scale) into `out`. */
  downsample(frame: LumaFrame, out: Float64Array): void {
    const { width, height, data } = frame;
    const rgb = frame.format === 'rgb24';
    if (width < 1 || height < 1 || data.length < width * height * (rgb ? 3 : 1)) {
      throw new RangeError(`a ${width}×${height} ${frame.format} frame needs more than ${data.length} bytes`);
    }
    if (this.columnWeights.side !== width) this.columnWeights = axisWeights(width);
    if (this.rowWeights.side !== height) this.rowWeights = axisWeights(height);
    if (this.rows.length < height * PDQ_SIDE) this.rows = new Float64Array(height * PDQ_SIDE);
    const { rows } = this;
    const { start, length, weights, span } = this.columnWeights;
    for (let y = 0; y < height; y++) {
      const rowStart = y * width;
      for (let x = 0; x < PDQ_SIDE; x++) {
        const first = rowStart + (start[x] as number);
        const n = length[x] as number;
        const w = x * span;
        let sum = 0;
        if (rgb) {
          for (let k = 0; k < n; k++) {
            const p = (first + k) * 3;
            // PDQ's luma: BT.601 weights of R, G and B.
            const luma =
              0.299 * (data[p] as number) + 0.587 * (data[p + 1] as number) + 0.114 * (data[p + 2] as number);
            sum += (weights[w + k] as number) * luma;
          }
        } else {
          for (let k = 0; k < n; k++) sum += (weights[w + k] as number) * (data[first + k] as number);
        }
        rows[y * PDQ_SIDE + x] = sum;
      }
    }
    const vertical = this.rowWeights;
    for (let r = 0; r < PDQ_SIDE; r++) {
      const n = vertical.length[r] as number;
      const w = r * vertical.span;
      const first = (vertical.start[r] as number) * PDQ_SIDE;
      for (let x = 0; x < PDQ_SIDE; x++) {
        let sum = 0;
        for (let k = 0; k < n; k++)
          sum += (vertical.weights[w + k] as number) * (rows[first + k * PDQ_SIDE + x] as number);
        out[r * PDQ_SIDE + x] = sum;
      }
    }
    // The filter is linear, so stretching its 4,096 outputs equals stretching every pixel first.
    if (frame.range === 'limited') {
      for (let i = 0; i < out.length; i++) out[i] = ((out[i] as number) - LIMITED_BLACK) * LIMITED_TO_FULL;
    }
  }
}
