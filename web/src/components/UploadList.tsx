import { useEffect, useRef } from 'preact/hooks';
import type { UploadItem } from '../hooks/useUploads.js';
import { formatDuration, plural } from '../lib/format.js';
import { BROWSE_ID } from './UploadDropzone.js';

function detail(item: UploadItem) {
  if (item.state === 'uploading') {
    // The percentage is visual only: announcing every step would drown the screen reader.
    return (
      <>
        Uploading… <span aria-hidden="true">{Math.round(item.percent)}%</span>
      </>
    );
  }
  if (item.state === 'refused') return item.message ?? 'This file cannot be used.';
  if (item.state === 'failed') return item.message ?? 'The upload stopped before the end.';
  const info = item.info;
  return info ? `Ready · ${formatDuration(info.durationSec)} · ${info.width}×${info.height}` : 'Ready';
}

/** The list's header in plain counts: what is ready, still coming, not accepted or interrupted. */
export function uploadSummary(items: readonly UploadItem[]): string {
  const count = (state: UploadItem['state']) => items.filter((i) => i.state === state).length;
  const parts = [
    count('ready') > 0 && `${plural(count('ready'), 'video')} ready`,
    count('uploading') > 0 && `${count('uploading')} uploading`,
    count('refused') > 0 && `${plural(count('refused'), 'file')} not accepted`,
    count('failed') > 0 && `${count('failed')} interrupted`,
  ];
  return parts.filter(Boolean).join(' · ');
}

interface Props {
  items: UploadItem[];
  onRemove: (item: UploadItem) => void;
  /** Only for an upload cut off on the way (network, server busy): a refused file stays refused. */
  onRetry: (item: UploadItem) => void;
  /** Bumped when files were just chosen: focus moves to the list that shows them. */
  focusKey: number;
}

/**
 * What became of each chosen file, in words, once: the server's reason for a refused file sits
 * right next to its name with a Remove button, and never a Retry that could not help.
 */
export function UploadList({ items, onRemove, onRetry, focusKey }: Props) {
  const list = useRef<HTMLElement>(null);
  const removed = useRef(false);
  useEffect(() => {
    if (focusKey > 0) list.current?.focus();
  }, [focusKey]);
  // After a Remove its button is gone: focus stays in the list (or goes back to "browse" once the list
  // is empty) rather than falling to the top of the page.
  useEffect(() => {
    if (!removed.current) return;
    removed.current = false;
    (list.current ?? document.getElementById(BROWSE_ID))?.focus();
  }, [items.length]);
  if (items.length === 0) return null;
  return (
    <section ref={list} class="upload-list" tabIndex={-1} aria-labelledby="upload-list-title">
      <p id="upload-list-title" class="upload-list__summary">
        <span class="visually-hidden">Chosen videos: </span>
        {uploadSummary(items)}
      </p>
      <ul class="upload-list__items" aria-label="Chosen videos" aria-live="polite">
        {items.map((item) => (
          <li key={item.fileId} class={`upload-list__item upload-list__item--${item.state}`}>
            <span class="upload-list__icon" aria-hidden="true">
              {item.state === 'ready' ? '✓' : item.state === 'uploading' ? '↑' : '!'}
            </span>
            <span class="upload-list__name">{item.name}</span>
            <span class="upload-list__detail">{detail(item)}</span>
            <span class="upload-list__actions">
              {item.state === 'failed' && (
                <button
                  type="button"
                  class="button button--small button--secondary"
                  onClick={() => onRetry(item)}
                >
                  Retry <span class="visually-hidden">{item.name}</span>
                </button>
              )}
              <button
                type="button"
                class="button button--small button--ghost"
                onClick={() => {
                  removed.current = true;
                  onRemove(item);
                }}
              >
                {item.state === 'uploading' ? 'Cancel' : 'Remove'}{' '}
                <span class="visually-hidden">{item.name}</span>
              </button>
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
