import type { ProcessSlots, Ticket } from '../ffmpeg/process-slots.js';
import type { EngineOptions } from '../options.js';
import type { MediaInfo, VariationPlan } from '../types.js';

/** What a render of one source is asked for and what it answers (see render.ts). */

/** One output to render: where it is written while rendering, and where it lands once checked. */
export interface RenderTarget {
  outputId: string;
  plan: VariationPlan;
  workPath: string;
  finalPath: string;
  thumbnailPath?: string;
}

export type RenderResult =
  | {
      outputId: string;
      ok: true;
      sizeBytes: number;
      durationSec: number;
      width: number;
      height: number;
      distinctness: Record<string, number>;
    }
  /** message is safe to show a user; detail (FFmpeg's words, paths) is for logs only. */
  | { outputId: string; ok: false; code: string; message: string; detail: string };

export interface RenderRequest {
  inputPath: string;
  media: MediaInfo;
  targets: RenderTarget[];
  options: EngineOptions;
  signal?: AbortSignal;
  onProgress?: (outputId: string, fraction: number) => void;
  onOutput?: (result: RenderResult) => void;
  /**
   * Asked before each FFmpeg process starts: true stops the render there, reporting only what is
   * finished (a deploy lets the running encode end, and starts no other).
   */
  shouldStop?: () => boolean;
  /** The machine's FFmpeg capacity when several renders share it (default: this render's own). */
  slots?: ProcessSlots;
  /** Where this render's processes queue among the others sharing `slots` (e.g. [job, source]). */
  ticket?: Ticket;
}
