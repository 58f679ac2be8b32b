import Uppy, { type UppyFile } from '@uppy/core';
import Tus from '@uppy/tus';
import { useEffect, useState } from 'preact/hooks';
import { getUploadInfo } from '../api/endpoints.js';
import type { UploadInfo } from '../api/types.js';
import { explainTusError } from '../lib/tusError.js';

type Meta = Record<string, never>;
type Body = Record<string, never>;
export type VideoUppy = Uppy<Meta, Body>;

export interface UploadItem {
  fileId: string;
  name: string;
  state: 'uploading' | 'ready' | 'refused' | 'failed';
  /** 0..100 */
  percent: number;
  /** The server's upload id (last segment of the tus URL), once admitted. */
  uploadId?: string;
  message?: string;
  info?: UploadInfo;
}

const CHUNK_BYTES = 8 * 1024 * 1024;
/** Statuses meaning "this file will never be accepted": retrying is pointless. */
const REFUSALS = new Set([413, 415, 422]);

function uploadIdOf(url: string): string {
  return new URL(url, window.location.href).pathname.split('/').filter(Boolean).pop() ?? '';
}

function toItem(file: UppyFile<Meta, Body>, infos: Map<string, UploadInfo>): UploadItem {
  const base = { fileId: file.id, name: file.name ?? 'video', percent: file.progress.percentage ?? 0 };
  if (file.error) {
    const status = file.response?.status ?? 0;
    return { ...base, state: REFUSALS.has(status) ? 'refused' : 'failed', message: file.error };
  }
  const url = file.response?.uploadURL;
  if (file.progress.uploadComplete && url) {
    const uploadId = uploadIdOf(url);
    return { ...base, state: 'ready', percent: 100, uploadId, info: infos.get(uploadId) };
  }
  return { ...base, state: 'uploading' };
}

/**
 * One Uppy instance with resumable tus uploads to /api/uploads that start as soon as files are
 * added, plus a plain list of what each file became (ready with an upload id, or refused and why).
 */
export function useUploads(): {
  uppy: VideoUppy;
  items: UploadItem[];
  remove(fileId: string): void;
  retry(fileId: string): void;
} {
  const [uppy] = useState<VideoUppy>(() =>
    new Uppy<Meta, Body>({ autoProceed: true, restrictions: { allowedFileTypes: null } }).use(Tus, {
      endpoint: '/api/uploads',
      chunkSize: CHUNK_BYTES,
      retryDelays: [0, 1000, 3000, 5000, 10_000],
      removeFingerprintOnSuccess: true,
      allowedMetaFields: ['name', 'type'],
      onError: explainTusError,
    }),
  );
  const [items, setItems] = useState<UploadItem[]>([]);

  useEffect(() => {
    const infos = new Map<string, UploadInfo>();
    const refresh = () => setItems(uppy.getFiles().map((file) => toItem(file, infos)));
    const onSuccess = (_file: unknown, response: { uploadURL?: string }) => {
      if (!response.uploadURL) return;
      const id = uploadIdOf(response.uploadURL);
      getUploadInfo(id)
        .then((info) => {
          infos.set(id, info);
          refresh();
        })
        // The details are a nicety: the upload is usable without them.
        .catch(() => undefined);
    };
    uppy.on('state-update', refresh);
    uppy.on('upload-success', onSuccess);
    return () => {
      uppy.off('state-update', refresh);
      uppy.off('upload-success', onSuccess);
    };
  }, [uppy]);

  useEffect(() => () => uppy.destroy(), [uppy]);

  return {
    uppy,
    items,
    remove: (fileId) => uppy.removeFile(fileId),
    // Uppy records a failure on the file itself (the list shows it); the promise does not reject for it.
    retry: (fileId) => void uppy.retryUpload(fileId),
  };
}
