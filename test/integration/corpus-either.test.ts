/** corpus/either/: valid variations or a clean refusal, never a crash, a hang or a broken output. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { admitMedia } from '../../src/media/admission/admission.js';
import { isRefusal } from '../../src/media/admission/refusals.js';
import type { MediaInfo } from '../../src/media/types.js';
import { CORPUS_DIR } from '../support/clips.js';
import {
  CORPUS_PRESENT,
  expectFullLength,
  expectValid,
  filesIn,
  corpusOptions as options,
  renderTwo,
} from '../support/corpus.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'vidvar-corpus-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.runIf(CORPUS_PRESENT)(
  'corpus/either: valid variations or a clean refusal, never a crash or a broken output',
  () => {
    for (const name of filesIn('either')) {
      it(name, async () => {
        const file = path.join(CORPUS_DIR, 'either', name);
        let media: MediaInfo;
        try {
          media = await admitMedia(file, name, options);
        } catch (error) {
          if (!isRefusal(error)) throw error;
          expect(error.message).toContain(name);
          return;
        }
        const rendered = await renderTwo(work, file, name, media);
        expectValid(name, media, rendered, 'when-possible');
        await expectFullLength(name, file, media, rendered);
      });
    }
  },
);
