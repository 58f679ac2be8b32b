import { downloadZipUrl } from '../api/endpoints.js';
import type { Selection } from '../hooks/useSelection.js';
import { plural } from '../lib/format.js';

/**
 * What is picked and the one thing to do with it: a ZIP of exactly those variations, made by the
 * server (`?outputs=`). It stays at the bottom of the window while the list scrolls.
 */
export function SelectionBar({ jobId, selection }: { jobId: string; selection: Selection }) {
  const count = selection.ids.length;
  const said = count === 0 ? '' : `${plural(count, 'variation')} selected`;
  return (
    <>
      {/* Always in the page, so screen readers hear each change of the count (a new region is not read). */}
      <p class="visually-hidden" role="status">
        {said}
      </p>
      {count > 0 && (
        <section class="selection-bar" aria-label="Selected variations">
          <span class="selection-bar__count" aria-hidden="true">
            {said}
          </span>
          <a class="button button--primary" href={downloadZipUrl(jobId, { outputs: selection.ids })} download>
            Download selected ({count})
          </a>
          <button type="button" class="button button--ghost" onClick={selection.clear}>
            Clear<span class="visually-hidden"> selection</span>
          </button>
        </section>
      )}
    </>
  );
}
