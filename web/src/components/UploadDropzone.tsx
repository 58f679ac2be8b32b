import '@uppy/core/css/style.min.css';
import '@uppy/dashboard/css/style.min.css';
import Dashboard from '@uppy/dashboard';
import { useEffect, useRef } from 'preact/hooks';
import type { VideoUppy } from '../hooks/useUploads.js';

/** Uppy's Dashboard, inline: drop or browse, per-file progress, pause, resume and retry. */
export function UploadDropzone({ uppy }: { uppy: VideoUppy }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    uppy.use(Dashboard, {
      inline: true,
      target: ref.current,
      width: '100%',
      height: 340,
      theme: 'auto',
      hideUploadButton: true,
      // Uppy's "Done" would clear the chosen files; the next step is "Create variations" instead.
      doneButtonHandler: null,
      showRemoveButtonAfterComplete: true,
      proudlyDisplayPoweredByUppy: false,
      disableThumbnailGenerator: true,
      note: 'MP4, MOV, WebM or MKV · a few minutes at most',
      locale: {
        strings: {
          dropPasteFiles: 'Drop your videos here or %{browseFiles}',
          browseFiles: 'browse',
          dashboardTitle: 'Source videos',
        },
      },
    });
    return () => {
      const plugin = uppy.getPlugin('Dashboard');
      if (plugin) uppy.removePlugin(plugin);
    };
  }, [uppy]);
  return <div ref={ref} class="dropzone" />;
}
