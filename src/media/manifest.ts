import type { Fit, FormatName } from './plan/placement.js';
import type { PlacementRecord } from './render/placement-record.js';
import type { Intensity, MediaInfo, VariationPlan } from './types.js';
import type { Distinctness } from './verify/distinctness.js';

/**
 * manifest.json: what every output is and how it was made, exactly enough to render it again.
 * The CLI writes it next to the outputs; the server puts it in every ZIP.
 */
/** 2: distinctness is vPDQ's reading ({vpdq, pixel, redraws}), no longer a flat record of 16×16 measures. */
export const MANIFEST_VERSION = 2;

export interface ManifestOutput {
  source: string;
  file: string;
  index: number;
  effects: VariationPlan['effects'];
  encode: VariationPlan['encode'];
  signature: string;
  durationSec: number | null;
  sizeBytes: number | null;
  width: number | null;
  height: number | null;
  /** vsSource/vsNearestSibling by vPDQ, the 16×16 measures, and the plans redrawn (see verify/distinctness.ts). */
  distinctness: Distinctness | null;
  /** Placement, fill, platform, loudness and platform checks (absent when none was asked for). */
  format?: FormatName;
  fit?: Fit;
  platform?: PlacementRecord['platform'];
  loudnessTarget?: PlacementRecord['loudnessTarget'];
  loudness?: PlacementRecord['loudness'];
  checks?: PlacementRecord['checks'];
}

export interface Manifest {
  manifestVersion: number;
  tool: { name: 'vidvar'; version: string; ffmpeg: string | null };
  createdAt: string;
  seed: string;
  intensity: Intensity;
  count: number;
  /** The batch name (the server's; the CLI's --name), the effects left out and Protect text and logos. */
  name?: string;
  exclude?: string[];
  protectText?: boolean;
  sources: Array<{
    name: string;
    durationSec: number;
    width: number;
    height: number;
    fps: number;
    hasAudio: boolean;
  }>;
  outputs: ManifestOutput[];
  /** What a reader should know about how these files were made (e.g. a changed FFmpeg build). */
  notes?: string[];
}

export function manifestSource(name: string, media: MediaInfo): Manifest['sources'][number] {
  return {
    name,
    durationSec: media.durationSec,
    width: media.video.width,
    height: media.video.height,
    fps: media.video.fps,
    hasAudio: media.audio !== null,
  };
}

/** What a finished output measured; null for an output that did not render. */
export type ManifestFacts = Pick<
  ManifestOutput,
  'durationSec' | 'sizeBytes' | 'width' | 'height' | 'distinctness'
> | null;

/** One output's manifest entry: its plan (the one delivered, after any redraw), exactly, and what it measured. */
export function manifestOutput(
  source: string,
  file: string,
  plan: VariationPlan,
  facts: ManifestFacts,
  placement?: PlacementRecord,
): ManifestOutput {
  return {
    source,
    file,
    index: plan.index,
    effects: plan.effects,
    encode: plan.encode,
    signature: plan.signature,
    durationSec: facts?.durationSec ?? null,
    sizeBytes: facts?.sizeBytes ?? null,
    width: facts?.width ?? null,
    height: facts?.height ?? null,
    distinctness: facts?.distinctness ?? null,
    ...placement,
  };
}

/**
 * When a folder's previous manifest is the same plan (seed, intensity, count) made with another FFmpeg
 * build, the note that says so: the same plan gives the same bytes only with the same build. Null
 * otherwise (no previous manifest, another plan, or an unknown version).
 */
export function ffmpegChangeNote(
  previous: unknown,
  current: Pick<Manifest, 'seed' | 'intensity' | 'count' | 'exclude' | 'protectText'> & {
    ffmpeg: string | null;
  },
): string | null {
  if (typeof previous !== 'object' || previous === null) return null;
  const before = previous as Partial<Manifest>;
  const samePlan =
    before.seed === current.seed &&
    before.intensity === current.intensity &&
    before.count === current.count &&
    // A manifest from before the effect choice was planned with every effect and no protection.
    JSON.stringify(before.exclude ?? []) === JSON.stringify(current.exclude ?? []) &&
    (before.protectText ?? false) === (current.protectText ?? false);
  const was = before.tool?.ffmpeg;
  if (!samePlan || typeof was !== 'string' || current.ffmpeg === null || was === current.ffmpeg) return null;
  return `Rendered again with FFmpeg ${current.ffmpeg}; the previous manifest of this plan names FFmpeg ${was}, so the files may differ in their bytes.`;
}

/** File name stem of a client-supplied name, safe for a ZIP entry or a folder: no path, no control chars. */
export function safeStem(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const stem = base.replace(/\.[^.]*$/, '');
  const cleaned = stem
    .normalize('NFC')
    .replace(/\p{Cc}|[<>:"|?*]/gu, '_')
    .replace(/^\.+/, '')
    .trim()
    .slice(0, 80);
  return cleaned.length > 0 ? cleaned : 'video';
}

/**
 * `<stem>-v01.mp4`: two digits at least, more when a source has 100+ outputs; a placement other than
 * the source's own shape adds its name (`<stem>-v01-9x16.mp4`), so the source's names never change.
 */
export function outputFileName(
  stem: string,
  index: number,
  count: number,
  format: FormatName = 'source',
): string {
  const width = Math.max(2, String(count).length);
  const placement = format === 'source' ? '' : `-${format}`;
  return `${stem}-v${String(index).padStart(width, '0')}${placement}.mp4`;
}

/** Distinct stems for sources that share a name (two "clip.mp4" → clip, clip-2), never colliding. */
export function uniqueStems(names: string[]): string[] {
  const taken = new Set<string>();
  return names.map((name) => {
    const stem = safeStem(name);
    let candidate = stem;
    for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = `${stem}-${n}`;
    taken.add(candidate.toLowerCase());
    return candidate;
  });
}
