import { readFile, rm } from 'node:fs/promises';
import { inputArgs } from '../ffmpeg/demuxers.js';
import { runFfmpeg } from '../ffmpeg/runner.js';
import type { EngineOptions } from '../options.js';

/** EBU R128 loudness of a file's sound: integrated loudness and true peak. */
export interface Loudness {
  integratedLufs: number;
  truePeakDb: number;
}

/** ebur128's reading of silence: no level to bring anywhere. */
const SILENCE_LUFS = -69;

/** The filters a measurement names: in the start-up check, since every output and source is measured. */
export const LOUDNESS_MEASURE_FILTERS: readonly string[] = ['ebur128', 'ametadata'];

/** The measuring command, as pure data: the first audio stream through ebur128, its readings to `scratchPath`. */
export function loudnessArgs(file: string, demuxer: string, scratchPath: string): string[] {
  const filter = `ebur128=peak=true:metadata=1,ametadata=mode=print:file=${escapeFilterPath(scratchPath)}`;
  return [...inputArgs(file, demuxer), '-map', '0:a:0', '-af', filter, '-f', 'null', '-'];
}

/**
 * Measures the first audio stream of a file, decoding the sound only (a few hundred times real
 * time). ebur128 writes its running reading into each frame's metadata, which `ametadata` prints to
 * a scratch file: the runner keeps stdout for progress and only an error tail of stderr.
 * Null when the file has no sound or only silence.
 */
export async function measureLoudness(req: {
  file: string;
  demuxer: string;
  durationSec: number;
  scratchPath: string;
  options: EngineOptions;
  signal?: AbortSignal;
}): Promise<Loudness | null> {
  const args = loudnessArgs(req.file, req.demuxer, req.scratchPath);
  try {
    await runFfmpeg({ args, durationSec: req.durationSec, options: req.options, signal: req.signal });
    return readLoudness(await readFile(req.scratchPath, 'utf8'));
  } finally {
    await rm(req.scratchPath, { force: true });
  }
}

/** The last integrated reading and the highest true peak (linear in the metadata) of ametadata's print. */
export function readLoudness(text: string): Loudness | null {
  const integrated = [...text.matchAll(/lavfi\.r128\.I=(-?[\d.]+)/g)].map((m) => Number(m[1]));
  const peaks = [...text.matchAll(/lavfi\.r128\.true_peak=([\d.]+)/g)].map((m) => Number(m[1]));
  const lufs = integrated.at(-1);
  if (lufs === undefined || !Number.isFinite(lufs) || lufs < SILENCE_LUFS) return null;
  const peak = Math.max(0, ...peaks);
  return {
    integratedLufs: Math.round(lufs * 10) / 10,
    truePeakDb: peak > 0 ? Math.round(20 * Math.log10(peak) * 10) / 10 : -120,
  };
}

/** A path inside a filter argument: `\`, `:` and `'` escaped as the filter-graph parser wants. */
function escapeFilterPath(file: string): string {
  return file.replace(/[\\:']/g, (c) => `\\\\${c}`);
}
