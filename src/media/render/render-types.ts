import type { ProcessSlots, Ticket } from '../ffmpeg/process-slots.js';
import type { EngineOptions } from '../options.js';
import type { FormatName, Layout } from '../plan/placement.js';
import type { MediaInfo, VariationPlan } from '../types.js';
import type { Distinctness, Redraw } from '../verify/distinctness.js';
import type { Loudness } from '../verify/loudness.js';
import type { LoudnessTarget } from './loudness-filters.js';

/** What a render of one source is asked for and what it answers (see render.ts). */

/** One output to render: where it is written while rendering, and where it lands once checked. */
export interface RenderTarget {
  outputId: string;
  plan: VariationPlan;
  workPath: string;
  finalPath: string;
  thumbnailPath?: string;
  /**
   * The placements this variation is delivered in, each its own output (then workPath is only the
   * stem of the variation's scratch files, and finalPath and thumbnailPath are unused). Absent: one
   * output in the source's shape, as vidvar always made.
   */
  placements?: PlacementTarget[];
}

/** One placement of a variation: the same plan and effects, its own frame, encode and file. */
export interface PlacementTarget {
  outputId: string;
  format: FormatName;
  workPath: string;
  finalPath: string;
  thumbnailPath?: string;
}

/** The placement-related fields of a render request. */
export type RenderRequestPlacement = Pick<RenderRequest, 'layout' | 'loudness'>;

/** The outputs a target delivers, by id: its placements', or its own. */
export function deliveredIds(target: RenderTarget): string[] {
  return target.placements ? target.placements.map((p) => p.outputId) : [target.outputId];
}

export type RenderResult =
  | {
      outputId: string;
      ok: true;
      sizeBytes: number;
      durationSec: number;
      width: number;
      height: number;
      /** The plan delivered: the target's, or the redraw that replaced it. */
      plan: VariationPlan;
      distinctness: Distinctness;
      /** The output's measured loudness, when the request set a target (null: no sound, or silence). */
      loudness?: Loudness | null;
    }
  /**
   * message is safe to show a user; detail (FFmpeg's words, paths) is for logs only. tooClose: vPDQ
   * matched it to its source or a sibling (render.ts redraws it, or fails it after the last try).
   */
  | { outputId: string; ok: false; code: string; message: string; detail: string; tooClose?: Redraw };

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
  /**
   * Plans an output again from its seed under a labelled fork (`redraw-1`…), when vPDQ matched it to
   * its source or a sibling. Without it such an output fails at once.
   */
  replan?: (plan: VariationPlan, label: string) => VariationPlan;
  /** How placements of another shape than the source's are filled (default: crop). */
  layout?: Layout;
  /** Bring every output to this loudness, and measure where each lands (absent: levels as they are). */
  loudness?: LoudnessTarget;
  /** false: measure vPDQ but deliver every output (tests of timing that render near-copies on purpose). */
  guarantee?: boolean;
}
