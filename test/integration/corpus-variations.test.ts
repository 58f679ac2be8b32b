/** Every real-world file in corpus/variations/ is admitted and gives valid variations of full length. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { admitMedia } from '../../src/media/admission/admission.js';

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

describe.runIf(CORPUS_PRESENT)('corpus/variations: admitted, and rendered into valid variations', () => {
  for (const name of filesIn('variations')) {
    it(name, async () => {
      const file = path.join(CORPUS_DIR, 'variations', name);
      const media = await admitMedia(file, name, options);
      const rendered = await renderTwo(work, file, name, media);
      expectValid(name, media, rendered);
      await expectFullLength(name, file, media, rendered);
    });
  }
});
