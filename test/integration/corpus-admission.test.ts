import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { admitMedia } from '../../src/media/admission/admission.js';
import { isRefusal, type MediaError } from '../../src/media/admission/refusals.js';
import { demuxerFor } from '../../src/media/ffmpeg/demuxers.js';
import { engineOptions } from '../../src/media/options.js';
import type { MediaInfo } from '../../src/media/types.js';
import { CORPUS_DIR } from '../support/clips.js';
import { CORPUS_PRESENT, filesIn } from '../support/corpus.js';

/**
 * Admission over real files other people made: phones, browsers, editors, broken and hostile
 * files. The folders say what must happen; the provenance table says what ffprobe saw in each.
 */
const options = engineOptions({ stallTimeoutMs: 20_000 });
/** Any file must be decided within this; a hang fails the test instead of stalling the suite. */
const DECIDE_WITHIN_MS = 60_000;

interface Provenance {
  resolution: string;
  rotation: string;
}

function provenance(): Map<string, Provenance> {
  if (!existsSync(path.join(CORPUS_DIR, 'PROVENANCE.tsv'))) return new Map();
  const [header, ...rows] = readFileSync(path.join(CORPUS_DIR, 'PROVENANCE.tsv'), 'utf8').trim().split('\n');
  const columns = (header ?? '').split('\t');
  const at = (row: string[], column: string) => row[columns.indexOf(column)] ?? '';
  return new Map(
    rows.map((line) => {
      const row = line.split('\t');
      return [at(row, 'local_name'), { resolution: at(row, 'resolution'), rotation: at(row, 'rotation') }];
    }),
  );
}

async function decide(folder: string, name: string): Promise<MediaInfo | MediaError> {
  try {
    return await admitMedia(path.join(CORPUS_DIR, folder, name), name, options);
  } catch (error) {
    if (isRefusal(error)) return error;
    throw error;
  }
}

describe.runIf(CORPUS_PRESENT)('corpus/refuse: every file is refused with a reason naming it', () => {
  for (const name of filesIn('refuse')) {
    it(name, { timeout: DECIDE_WITHIN_MS }, async () => {
      const outcome = await decide('refuse', name);
      if (!isRefusal(outcome)) throw new Error(`${name} was admitted: ${JSON.stringify(outcome)}`);
      expect(outcome.status).toBe(422);
      expect(outcome.message.startsWith(name)).toBe(true);
      // Nothing a hostile file points at comes back in the message (its own name aside).
      expect(outcome.message.slice(name.length)).not.toMatch(/passwd|root:|ssrfevil|https?:/);
      if (name.startsWith('audio_only_')) expect(outcome.code).toBe('audio_only');
      if (name.startsWith('hostile_m3u8_')) expect(outcome.code).toBe('playlist_refused');
      if (name.startsWith('encrypted_')) expect(outcome.code).toBe('encrypted');
    });
  }
});

describe.runIf(CORPUS_PRESENT)(
  'corpus/variations: every file is admitted, measured as it is displayed',
  () => {
    const seen = provenance();
    for (const name of filesIn('variations')) {
      it(name, { timeout: DECIDE_WITHIN_MS }, async () => {
        const outcome = await decide('variations', name);
        if (isRefusal(outcome)) throw new Error(`${name} was refused: ${outcome.code}: ${outcome.message}`);
        const info = outcome as MediaInfo;
        expect(demuxerFor(info.demuxer)).toBe(info.demuxer);
        expect(info.durationSec).toBeGreaterThan(0);
        expect(info.video.fps).toBeGreaterThan(0);
        const recorded = seen.get(name);
        if (!recorded) throw new Error(`${name} is missing from PROVENANCE.tsv`);
        const [codedWidth, codedHeight] = recorded.resolution.split('x').map(Number);
        expect([info.video.codedWidth, info.video.codedHeight]).toEqual([codedWidth, codedHeight]);
        // The table records FFmpeg's counter-clockwise display-matrix angle; players turn the other way.
        const clockwise = ((-Number(recorded.rotation || 0) % 360) + 360) % 360;
        expect(info.video.rotation).toBe(clockwise);
        const turned = clockwise === 90 || clockwise === 270;
        expect(info.video.height).toBe(turned ? codedWidth : codedHeight);
      });
    }
  },
);

describe.runIf(CORPUS_PRESENT)('corpus/either: every file is admitted or refused cleanly', () => {
  for (const name of filesIn('either')) {
    it(name, { timeout: DECIDE_WITHIN_MS }, async () => {
      const outcome = await decide('either', name);
      if (isRefusal(outcome)) {
        expect(outcome.message.startsWith(name)).toBe(true);
      } else {
        expect(outcome.video.width).toBeGreaterThan(0);
        expect(outcome.durationSec).toBeGreaterThanOrEqual(options.minDurationSec);
      }
    });
  }
});
