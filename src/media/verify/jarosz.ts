import { type AxisWeights, axisWeights, PDQ_SIDE } from './jarosz-weights.js';

/**
 * The downsampling step of PDQ: a picture of any size and aspect becomes 64×64 luma by the Jarosz
 * filter (see jarosz-weights.ts). The filter is linear and separable, so the picture is reduced to
 * 64 rows first and each of those to 64 values: the same numbers as filtering the whole picture twice
 * along each axis, for about one multiply-add per pixel.
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
  /** 64 filtered rows of the frame's width: the vertical pass's output. */
  private bands = new Float64Array(0);

  /** Writes the 64×64 filtered luma of `frame` (row-major, 0–255 scale) into `out`. */
  downsample(frame: LumaFrame, out: Float64Array): void {
    const { width, height, data } = frame;
    const rgb = frame.format === 'rgb24';
    if (width < 1 || height < 1 || data.length < width * height * (rgb ? 3 : 1)) {
      throw new RangeError(`a ${width}×${height} ${frame.format} frame needs more than ${data.length} bytes`);
    }
    if (this.columnWeights.side !== width) this.columnWeights = axisWeights(width);
    if (this.rowWeights.side !== height) this.rowWeights = axisWeights(height);
    if (this.bands.length < PDQ_SIDE * width) this.bands = new Float64Array(PDQ_SIDE * width);
    const { bands } = this;
    // Vertical first: each of the 64 output rows adds up a few whole input rows, a long run along
    // memory that the engine compiles to a tight loop (1.6× faster than 64 short sums per row).
    const vertical = this.rowWeights;
    for (let r = 0; r < PDQ_SIDE; r++) {
      const band = r * width;
      bands.fill(0, band, band + width);
      const n = vertical.length[r] as number;
      for (let k = 0; k < n; k++) {
        const weight = vertical.weights[r * vertical.span + k] as number;
        const row = ((vertical.start[r] as number) + k) * width;
        if (rgb) {
          for (let x = 0; x < width; x++) {
            const p = (row + x) * 3;
            // PDQ's luma: BT.601 weights of R, G and B.
            const luma =
              0.299 * (data[p] as number) + 0.587 * (data[p + 1] as number) + 0.114 * (data[p + 2] as number);
            bands[band + x] = (bands[band + x] as number) + weight * luma;
          }
        } else {
          for (let x = 0; x < width; x++)
            bands[band + x] = (bands[band + x] as number) + weight * (data[row + x] as number);
        }
      }
    }
    const { start, length, weights, span } = this.columnWeights;
    for (let r = 0; r < PDQ_SIDE; r++) {
      const band = r * width;
      for (let x = 0; x < PDQ_SIDE; x++) {
        const first = band + (start[x] as number);
        const n = length[x] as number;
        let sum = 0;
        for (let k = 0; k < n; k++) sum += (weights[x * span + k] as number) * (bands[first + k] as number);
        out[r * PDQ_SIDE + x] = sum;
      }
    }
    // The filter is linear, so stretching its 4,096 outputs equals stretching every pixel first.
    if (frame.range === 'limited') {
      for (let i = 0; i < out.length; i++) out[i] = ((out[i] as number) - LIMITED_BLACK) * LIMITED_TO_FULL;
    }
  }
}
