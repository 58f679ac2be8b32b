import { useState } from 'preact/hooks';
import { createJob } from '../api/endpoints.js';
import { ApiError } from '../api/http.js';
import { defaultBatchName, MAX_OUTPUTS_PER_SOURCE } from '../api/types.js';
import { BatchName, batchNameFor } from '../components/BatchName.js';
import { BatchOptions, type BatchSettings } from '../components/BatchOptions.js';
import { EarlierUploads } from '../components/EarlierUploads.js';
import { EffectsPanel } from '../components/EffectsPanel.js';
import { LinkImport } from '../components/LinkImport.js';
import { DEFAULT_PLACEMENT, PlacementOptions, placementRequest } from '../components/PlacementOptions.js';
import { ScreenHeading } from '../components/ScreenHeading.js';
import { UploadDropzone } from '../components/UploadDropzone.js';
import { UploadList } from '../components/UploadList.js';
import { useEarlierUploads } from '../hooks/useEarlierUploads.js';
import { LINK_PREFIX, useLinkImports } from '../hooks/useLinkImports.js';
import { usePrefill } from '../hooks/usePrefill.js';
import { type UploadItem, useUploads } from '../hooks/useUploads.js';
import {
  type EffectChoices,
  rememberedChoices,
  rememberedSettings,
  rememberSettings,
} from '../lib/batch-memory.js';
import { plural } from '../lib/format.js';
import { navigate } from '../lib/route.js';

function parseCount(text: string): number | null {
  const n = Number(text);
  return Number.isInteger(n) && n >= 1 && n <= MAX_OUTPUTS_PER_SOURCE ? n : null;
}

/** Why "Create variations" cannot be pressed yet, or null when it can. */
function blockedReason(items: UploadItem[]): string | null {
  const uploading = items.filter((i) => i.state === 'uploading').length;
  if (items.length === 0) return 'Add at least one video to start.';
  if (uploading > 0) return `Waiting for ${plural(uploading, 'upload')} to finish…`;
  if (!items.some((i) => i.state === 'ready')) return 'None of these files can be used. Add a video.';
  return null;
}

/**
 * Upload sources and choose how to vary them. It stays mounted (hidden) on other screens so
 * that uploads in progress survive a look at the jobs list.
 */
export function NewBatch({ active }: { active: boolean }) {
  const { uppy, items: uploads, remove, retry } = useUploads();
  const links = useLinkImports();
  const [chosen, setChosen] = useState(0);
  const fresh = [...uploads, ...links.items];
  const earlier = useEarlierUploads(fresh);
  const items = [...fresh, ...earlier.items];
  const [settings, setSettings] = useState<BatchSettings>(rememberedSettings);
  const [choices, setChoices] = useState<EffectChoices>(rememberedChoices);
  usePrefill(setSettings, setChoices);
  const suggestedName = items[0] ? defaultBatchName(items[0].name, new Date()) : '';
  const [placement, setPlacement] = useState(DEFAULT_PLACEMENT);
  const [countError, setCountError] = useState<string | null>(null);
  const [submitError, setSubmitError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const ready = items.filter((i) => i.state === 'ready');
  const skipped = items.length - ready.length - items.filter((i) => i.state === 'uploading').length;
  const reason = blockedReason(items);
  const count = parseCount(settings.count);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (reason || busy) return;
    if (count === null) {
      setCountError(`Choose a whole number from 1 to ${MAX_OUTPUTS_PER_SOURCE}.`);
      return;
    }
    setCountError(null);
    setSubmitError(null);
    setBusy(true);
    try {
      const job = await createJob({
        uploads: ready.map((i) => i.uploadId ?? ''),
        count,
        intensity: settings.intensity,
        seed: settings.seed.trim() || undefined,
        ...{
          name: batchNameFor(choices, suggestedName),
          exclude: choices.exclude,
          protectText: choices.protectText,
        },
        ...placementRequest(placement),
      });
      rememberSettings(settings, choices);
      setChoices({ ...choices, name: null });
      uppy.cancelAll();
      links.clear();
      earlier.refresh();
      navigate({ name: 'job', id: job.id });
    } catch (err) {
      // 401 and unreachable are handled app-wide; the rest is said here, next to the button.
      if (err instanceof ApiError && err.status !== 401) setSubmitError(err.message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="screen" hidden={!active}>
      {active && <ScreenHeading title="New batch" />}
      <p class="muted lede">
        Add your source videos, choose how many variations you want, and vidvar makes them on the server.
      </p>
      <form class="new-batch" onSubmit={submit} noValidate>
        <div class="card new-batch__uploads">
          <h2 class="card__title">1. Source videos</h2>
          <UploadDropzone uppy={uppy} onAdded={() => setChosen((n) => n + 1)} />
          <LinkImport onAdd={links.add} />
          <UploadList
            items={fresh}
            focusKey={chosen}
            onRemove={(item) => (item.fileId.startsWith(LINK_PREFIX) ? links.remove : remove)(item.fileId)}
            onRetry={(item) => (item.fileId.startsWith(LINK_PREFIX) ? links.retry : retry)(item.fileId)}
          />
          <EarlierUploads earlier={earlier} />
        </div>
        <div class="card new-batch__options">
          <h2 class="card__title">2. Variations</h2>
          <BatchName value={choices} onChange={setChoices} suggested={suggestedName} />
          <BatchOptions value={settings} onChange={setSettings} countError={countError} />
          <PlacementOptions value={placement} onChange={setPlacement} />
          <EffectsPanel value={choices} onChange={setChoices} />
          <div class="new-batch__submit">
            {count !== null && ready.length > 0 && (
              <p class="summary">
                {plural(ready.length, 'video')} × {count} ={' '}
                <strong>{plural(ready.length * count, 'variation')}</strong>
                {skipped > 0 && <span class="muted"> ({plural(skipped, 'file')} left out)</span>}
              </p>
            )}
            <button
              type="submit"
              class="button button--primary button--block"
              disabled={reason !== null || busy}
              aria-describedby="create-reason"
            >
              {busy ? 'Creating…' : 'Create variations'}
            </button>
            <p id="create-reason" class="field__hint" aria-live="polite">
              {reason}
            </p>
            {submitError && (
              <p class="error-text" role="alert">
                {submitError}
              </p>
            )}
          </div>
        </div>
      </form>
    </section>
  );
}
