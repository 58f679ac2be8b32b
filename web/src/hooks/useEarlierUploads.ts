import { useCallback, useEffect, useState } from 'preact/hooks';
import { listEarlierUploads } from '../api/endpoints.js';
import type { UploadItem } from './useUploads.js';

const DISMISSED_KEY = 'vidvar.dismissed-uploads';

function dismissedIds(): string[] {
  try {
    const value = JSON.parse(sessionStorage.getItem(DISMISSED_KEY) ?? '[]') as unknown;
    return Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}

export interface EarlierUploads {
  /** Ready items for the batch, `fileId` prefixed so they never clash with Uppy's. */
  items: UploadItem[];
  /** Leaves one out of this batch; the server expires it in its own time. */
  dismiss(uploadId: string): void;
  /** Asks the server again (after a batch used some). */
  refresh(): void;
}

/**
 * Files uploaded in an earlier visit that no batch has used yet: the server still holds them, so a
 * reload of New batch loses nothing. Those this page is uploading or already lists are left out.
 */
export function useEarlierUploads(current: UploadItem[]): EarlierUploads {
  const [all, setAll] = useState<UploadItem[]>([]);
  const [dismissed, setDismissed] = useState<string[]>(dismissedIds);
  const [round, setRound] = useState(0);

  useEffect(() => {
    let live = true;
    listEarlierUploads()
      .then((uploads) => {
        if (!live) return;
        setAll(
          uploads.map((info) => ({
            fileId: `earlier-${info.id}`,
            name: info.name,
            state: 'ready',
            percent: 100,
            uploadId: info.id,
            info,
          })),
        );
      })
      // Unreachable or signed out is said app-wide; the list just stays as it was.
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [round]);

  const dismiss = useCallback((uploadId: string) => {
    setDismissed((before) => {
      const next = [...before, uploadId];
      try {
        sessionStorage.setItem(DISMISSED_KEY, JSON.stringify(next));
      } catch {
        // Without storage the file only stays dismissed until the next reload.
      }
      return next;
    });
  }, []);

  const here = new Set(current.map((item) => item.uploadId).filter(Boolean));
  const items = all.filter((item) => !here.has(item.uploadId) && !dismissed.includes(item.uploadId ?? ''));
  return { items, dismiss, refresh: useCallback(() => setRound((n) => n + 1), []) };
}
