import { useRef, useState } from 'preact/hooks';
import { importFromLink } from '../api/endpoints.js';
import { ApiError } from '../api/http.js';
import type { UploadItem } from './useUploads.js';

/** Ids of link imports in the list of chosen files; Uppy's own ids never start so. */
export const LINK_PREFIX = 'link-';

/** What to call a link while the server fetches it: the last part of its path, else its host. */
function provisionalName(link: string): string {
  try {
    const url = new URL(link);
    return decodeURIComponent(url.pathname.split('/').filter(Boolean).pop() ?? '') || url.host;
  } catch {
    return link;
  }
}

/**
 * Videos the server imports from pasted links, as items of the same list as uploads: "uploading"
 * while the server fetches and admits the file, then ready with its upload id, refused with the
 * server's sentence, or failed on the server's side (then it can be fetched again).
 */
export function useLinkImports(): {
  items: UploadItem[];
  add(link: string): void;
  retry(fileId: string): void;
  remove(fileId: string): void;
  clear(): void;
} {
  const [items, setItems] = useState<UploadItem[]>([]);
  const counter = useRef(0);
  /** Each item's link, for a retry. */
  const links = useRef(new Map<string, string>());

  const update = (fileId: string, change: Partial<UploadItem>) =>
    setItems((current) => current.map((item) => (item.fileId === fileId ? { ...item, ...change } : item)));

  const load = (fileId: string, link: string) => {
    importFromLink(link).then(
      (info) => update(fileId, { state: 'ready', percent: 100, uploadId: info.id, info, name: info.name }),
      (error: unknown) =>
        update(fileId, {
          state:
            error instanceof ApiError && error.status >= 500 && error.status !== 504 ? 'failed' : 'refused',
          message: error instanceof Error ? error.message : 'That link could not be imported.',
        }),
    );
  };

  const add = (link: string) => {
    counter.current += 1;
    const fileId = `${LINK_PREFIX}${counter.current}`;
    links.current.set(fileId, link);
    setItems((current) => [
      ...current,
      { fileId, name: provisionalName(link), state: 'uploading', percent: 0 },
    ]);
    load(fileId, link);
  };

  /** The server failed on its side (not a refusal): fetch the same link again. */
  const retry = (fileId: string) => {
    const link = links.current.get(fileId);
    if (!link) return;
    update(fileId, { state: 'uploading', percent: 0, message: undefined });
    load(fileId, link);
  };

  return {
    items,
    add,
    retry,
    remove: (fileId) => setItems((current) => current.filter((item) => item.fileId !== fileId)),
    clear: () => setItems([]),
  };
}
