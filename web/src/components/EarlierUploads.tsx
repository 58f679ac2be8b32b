import type { EarlierUploads as Earlier } from '../hooks/useEarlierUploads.js';
import { formatDuration } from '../lib/format.js';

/** Files from an earlier visit that are part of this batch unless removed. */
export function EarlierUploads({ earlier }: { earlier: Earlier }) {
  if (earlier.items.length === 0) return null;
  return (
    <div class="earlier">
      <h3 class="earlier__title" id="earlier-title">
        Uploaded earlier
      </h3>
      <ul class="upload-list" aria-labelledby="earlier-title">
        {earlier.items.map((item) => (
          <li key={item.fileId} class="upload-list__item upload-list__item--ready">
            <span class="upload-list__icon" aria-hidden="true">
              ✓
            </span>
            <span class="upload-list__name">{item.name}</span>
            <span class="upload-list__detail">
              {item.info
                ? `Ready · ${formatDuration(item.info.durationSec)} · ${item.info.width}×${item.info.height}`
                : 'Ready'}
            </span>
            <button
              type="button"
              class="button button--ghost button--small"
              aria-label={`Remove ${item.name} from this batch`}
              onClick={() => earlier.dismiss(item.uploadId ?? '')}
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
