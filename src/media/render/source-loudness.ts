import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { EngineOptions } from '../options.js';
import { PLATFORM_LIMITS, type PlatformName } from '../plan/platforms.js';
import type { MediaInfo } from '../types.js';
import { measureLoudness } from '../verify/loudness.js';
import type { LoudnessTarget } from './loudness-filters.js';

/** True-peak ceiling without a platform: the same −1 dBTP streaming services ask for. */
const DEFAULT_TRUE_PEAK_DB = -1;

/**
 * A source's loudness target for the render: measured once (sound only), whatever the number of
 * variations and placements made from it. Undefined when no target is set, the source has no
 * sound, or only silence (there is no level to bring anywhere).
 */
export async function sourceLoudnessTarget(req: {
  file: string;
  media: MediaInfo;
  targetLufs: number | null;
  platform: PlatformName | null;
  options: EngineOptions;
  signal?: AbortSignal;
}): Promise<LoudnessTarget | undefined> {
  if (req.targetLufs === null || !req.media.audio) return undefined;
  // FFmpeg's own scratch folder when one is set (never /tmp on Fly.io); it may not exist yet.
  const base = req.options.tmpDir ?? os.tmpdir();
  await mkdir(base, { recursive: true });
  const dir = await mkdtemp(path.join(base, 'vidvar-r128-'));
  try {
    const source = await measureLoudness({
      file: req.file,
      demuxer: req.media.demuxer,
      durationSec: req.media.durationSec,
      scratchPath: path.join(dir, 'source.r128'),
      options: req.options,
      signal: req.signal,
    });
    if (!source) return undefined;
    const truePeakDb = req.platform
      ? PLATFORM_LIMITS[req.platform].loudness.truePeakDb
      : DEFAULT_TRUE_PEAK_DB;
    return { targetLufs: req.targetLufs, sourceLufs: source.integratedLufs, truePeakDb };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
