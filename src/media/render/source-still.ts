import { inputArgs } from '../ffmpeg/demuxers.js';
import { runFfmpeg } from '../ffmpeg/runner.js';
import type { EngineOptions } from '../options.js';
import { even } from '../plan/output-format.js';
import type { MediaInfo } from '../types.js';
import { THUMBNAIL_MAX_WIDTH, thumbnailTime } from './side-outputs.js';

/**
 * One still of a source at the moment its variations' thumbnails are taken, at the same width, so
 * the job screen can show the original first in each row for comparison. The source file is
 * deleted once its variations exist; this small JPEG stays with the job.
 */
export function sourceStillArgs(file: string, media: MediaInfo, outPath: string): string[] {
  // The viewer's shape (rotation and pixel aspect applied), as every output has it.
  const width = even(Math.min(THUMBNAIL_MAX_WIDTH, media.video.width));
  const height = even((width * media.video.height) / media.video.width);
  return [
    '-y',
    // Seeking on the input decodes from the keyframe before the still, not the whole head.
    '-ss',
    String(thumbnailTime(media.durationSec)),
    ...inputArgs(file, media.demuxer),
    '-map',
    `0:${media.video.index}`,
    '-vf',
    `scale=${width}:${height},setsar=1`,
    '-frames:v',
    '1',
    '-q:v',
    '3',
    '-f',
    'image2',
    '-update',
    '1',
    `file:${outPath}`,
  ];
}

export async function writeSourceStill(
  file: string,
  media: MediaInfo,
  outPath: string,
  options: EngineOptions,
  signal?: AbortSignal,
): Promise<void> {
  await runFfmpeg({ args: sourceStillArgs(file, media, outPath), durationSec: 0, options, signal });
}
