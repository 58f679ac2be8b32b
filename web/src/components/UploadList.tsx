import type { UploadItem } from '../hooks/useUploads.js';
import { formatDuration } from '../lib/format.js';

function detail(item: UploadItem) {
  if (item.state === 'uploading') {
    // The percentage is visual only: announcing every step would drown the screen reader.
    return (
      <>
        Uploading… <span aria-hidden="true">{Math.round(item.percent)}%</span>
      </>
    );
  }
  if (item.state === 'refused' || item.state === 'failed') return item.message ?? 'Upload failed.';
  const info = item.info;
  return info ? `Ready · ${formatDuration(info.durationSec)} · ${info.width}×${info.height}` : 'Ready';
}

/**
 * What became of each chosen file, in words: the server's reason for a refused file sits right
 * next to its name. Status changes are announced politely.
 */
export function UploadList({ items }: { items: UploadItem[] }) {
  if (items.length === 0) return null;
  return (
    <ul class="upload-list" aria-label="Chosen videos" aria-live="polite">
      {items.map((item) => (
        <li key={item.fileId} class={`upload-list__item upload-list__item--${item.state}`}>
          <span class="upload-list__icon" aria-hidden="true">
            {item.state === 'ready' ? '✓' : item.state === 'uploading' ? '↑' : '!'}
          </span>
          <span class="upload-list__name">{item.name}</span>
          <span class="upload-list__detail" role={item.state === 'refused' ? 'alert' : undefined}>
            {detail(item)}
          </span>
        </li>
      ))}
    </ul>
  );
}
