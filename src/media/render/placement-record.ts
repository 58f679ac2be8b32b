import type { Fit, FormatName } from '../plan/placement.js';
import type { PlacementChoice } from '../plan/placement-request.js';
import type { PlatformName } from '../plan/platforms.js';
import type { MediaInfo } from '../types.js';
import type { Loudness } from '../verify/loudness.js';
import { type PlatformCheck, platformChecks } from '../verify/platform-checks.js';
import type { RenderResult } from './render-types.js';

/** What the manifest and the API record of an output's placement: shape, fill, platform, its checks. */
export interface PlacementRecord {
  format: FormatName;
  fit: Fit;
  platform: PlatformName | null;
  /** Target integrated loudness, LUFS (null: levels kept as they were). */
  loudnessTarget: number | null;
  /** Where the output's sound landed, when a target was set. */
  loudness: Loudness | null;
  /** Every check against the platform's published limits, with the output's value (empty without a platform). */
  checks: PlatformCheck[];
}

export function placementRecord(
  choice: PlacementChoice,
  format: FormatName,
  result: RenderResult,
  media: MediaInfo,
): PlacementRecord {
  const loudness = result.ok ? (result.loudness ?? null) : null;
  const checks =
    result.ok && choice.platform
      ? platformChecks(
          choice.platform,
          { ...result, loudness },
          {
            hasAudio: media.audio !== null,
            targetLufs: choice.loudnessLufs,
          },
        )
      : [];
  return {
    format,
    fit: choice.placements.layout.fit,
    platform: choice.platform,
    loudnessTarget: choice.loudnessLufs,
    loudness,
    checks,
  };
}
