import { PLATFORM_LIMITS, type PlatformName } from '../plan/platforms.js';
import type { MediaInfo } from '../types.js';
import type { Loudness } from './loudness.js';

/**
 * Every output checked against its platform's published limits (plan/platforms.ts), each check with
 * the output's own value and the limit it was held to: what the manifest and the API report.
 */
export interface PlatformCheck {
  check:
    | 'duration'
    | 'file-size'
    | 'resolution'
    | 'bit-rate'
    | 'codecs'
    | 'aspect-ratio'
    | 'loudness'
    | 'true-peak';
  ok: boolean;
  /** The output's value, in `unit`. */
  value: number | string;
  unit: string;
  /** The platform's limit in words, e.g. "5 to 60 s". */
  limit: string;
}

export interface CheckedFacts {
  durationSec: number;
  sizeBytes: number;
  width: number;
  height: number;
  loudness?: Loudness | null;
}

/** What vidvar writes (verify-output.ts refuses anything else): the codecs every check compares. */
const WRITTEN_CODECS = { video: 'h264', audio: 'aac' };
/** How far an output's integrated loudness may land from the target and still pass. */
export const LOUDNESS_TOLERANCE_LU = 1;

export function platformChecks(
  platform: PlatformName,
  facts: CheckedFacts,
  opts: { hasAudio: boolean; targetLufs: number | null },
): PlatformCheck[] {
  const limits = PLATFORM_LIMITS[platform];
  const { min, max } = limits.durationSec;
  const shortSide = Math.min(facts.width, facts.height);
  const bitrateK = Math.round((facts.sizeBytes * 8) / Math.max(0.001, facts.durationSec) / 1000);
  const aspect = nearestAspect(facts.width, facts.height, limits.aspectRatios);
  const checks: PlatformCheck[] = [
    {
      check: 'duration',
      ok: facts.durationSec >= min && facts.durationSec <= max,
      value: round(facts.durationSec, 2),
      unit: 's',
      limit: `${min} to ${max} s`,
    },
    {
      check: 'file-size',
      ok: facts.sizeBytes <= limits.maxFileBytes,
      value: facts.sizeBytes,
      unit: 'bytes',
      limit: `at most ${round(limits.maxFileBytes / 1024 / 1024, 0)} MB`,
    },
    {
      check: 'codecs',
      ok:
        limits.videoCodecs.includes(WRITTEN_CODECS.video) &&
        limits.audioCodecs.includes(WRITTEN_CODECS.audio),
      value: opts.hasAudio ? `${WRITTEN_CODECS.video}/${WRITTEN_CODECS.audio}` : WRITTEN_CODECS.video,
      unit: '',
      limit: `${limits.videoCodecs.join(' or ')} video, ${limits.audioCodecs.join(' or ')} audio`,
    },
    {
      check: 'aspect-ratio',
      ok: aspect !== null,
      value: `${facts.width}:${facts.height}`,
      unit: '',
      limit: limits.aspectRatios.join(', '),
    },
  ];
  if (limits.minShortSide !== null)
    checks.push({
      check: 'resolution',
      ok: shortSide >= limits.minShortSide,
      value: shortSide,
      unit: 'px (short side)',
      limit: `at least ${limits.minShortSide} px`,
    });
  if (limits.minBitrateK !== null)
    checks.push({
      check: 'bit-rate',
      ok: bitrateK >= limits.minBitrateK,
      value: bitrateK,
      unit: 'kb/s',
      limit: `at least ${limits.minBitrateK} kb/s`,
    });
  if (opts.targetLufs !== null && opts.hasAudio && facts.loudness) {
    checks.push(
      {
        check: 'loudness',
        ok: Math.abs(facts.loudness.integratedLufs - opts.targetLufs) <= LOUDNESS_TOLERANCE_LU,
        value: facts.loudness.integratedLufs,
        unit: 'LUFS',
        limit: `${opts.targetLufs} ± ${LOUDNESS_TOLERANCE_LU} LUFS`,
      },
      {
        check: 'true-peak',
        ok: facts.loudness.truePeakDb <= limits.loudness.truePeakDb,
        value: facts.loudness.truePeakDb,
        unit: 'dBTP',
        limit: `at most ${limits.loudness.truePeakDb} dBTP`,
      },
    );
  }
  return checks;
}

/** What a source cannot meet on this platform whatever vidvar does, in words that name the limit. */
export function sourceWarnings(platform: PlatformName, media: MediaInfo): string[] {
  const limits = PLATFORM_LIMITS[platform];
  const { min, max } = limits.durationSec;
  const seconds = round(media.durationSec, 1);
  const warnings: string[] = [];
  if (media.durationSec > max)
    warnings.push(
      `This video is ${seconds} s long; ${limits.label} takes at most ${max} s (limit: duration ${min} to ${max} s).`,
    );
  if (media.durationSec < min)
    warnings.push(
      `This video is ${seconds} s long; ${limits.label} takes at least ${min} s (limit: duration ${min} to ${max} s).`,
    );
  if (
    limits.minShortSide !== null &&
    Math.min(media.video.width, media.video.height) < limits.minShortSide / 2
  )
    warnings.push(
      `This video is ${media.video.width}×${media.video.height}; ${limits.label} asks for at least ${limits.minShortSide} px on the short side, so its placements are enlarged more than twice and will look soft.`,
    );
  return warnings;
}

/** The platform's shape this size is (within 1 %), or null. */
function nearestAspect(width: number, height: number, ratios: readonly string[]): string | null {
  const own = width / height;
  return (
    ratios.find((r) => {
      const [w, h] = r.split(':').map(Number);
      return w !== undefined && h !== undefined && Math.abs(own / (w / h) - 1) < 0.01;
    }) ?? null
  );
}

function round(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}
