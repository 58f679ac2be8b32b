import { useRef, useState } from 'preact/hooks';
import type { VideoUppy } from '../hooks/useUploads.js';

/** The "browse" button, where focus returns when the last chosen file is removed. */
export const BROWSE_ID = 'dropzone-browse';

/**
 * Where videos are dropped or browsed for. Uppy (core + tus) does the uploading; what became of each
 * file is shown once, in the list below, so the box itself has no file tiles, status bar or pop-ups
 * (Uppy's Dashboard showed every refused file twice, offered Retry for it, and stacked notices).
 */
export function UploadDropzone({ uppy, onAdded }: { uppy: VideoUppy; onAdded: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);

  const add = (files: FileList | null | undefined) => {
    if (!files || files.length === 0) return;
    uppy.addFiles(
      [...files].map((file) => ({ name: file.name, type: file.type, data: file, source: 'Local' })),
    );
    onAdded();
  };

  return (
    <section
      aria-label="Add videos"
      class={`dropzone${over ? ' dropzone--over' : ''}`}
      onDragOver={(event) => {
        event.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(event) => {
        event.preventDefault();
        setOver(false);
        add(event.dataTransfer?.files);
      }}
    >
      <span class="dropzone__icon" aria-hidden="true" />
      <p class="dropzone__text">
        Drop your videos here or{' '}
        <button id={BROWSE_ID} type="button" class="dropzone__browse" onClick={() => input.current?.click()}>
          browse
        </button>
      </p>
      <p class="dropzone__note">MP4, MOV, WebM or MKV · a few minutes at most</p>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        class="dropzone__input"
        aria-label="Choose videos"
        onChange={(event) => {
          add(event.currentTarget.files);
          // The same file may be chosen again after it was removed.
          event.currentTarget.value = '';
        }}
      />
    </section>
  );
}
