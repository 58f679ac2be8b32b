import { useState } from 'preact/hooks';
import { deleteJob, downloadZipUrl, retryJob } from '../api/endpoints.js';
import { ApiError } from '../api/http.js';
import { isFinished, type JobView } from '../api/types.js';
import { navigate } from '../lib/route.js';
import { ConfirmButton } from './ConfirmButton.js';
import { NotifyToggle } from './NotifyToggle.js';

/** Download, retry, cancel or delete a batch; each failure says why next to the buttons. */
export function JobActions({ job, onChange }: { job: JobView; onChange: (job: JobView) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const finished = isFinished(job.status);
  const anyDone = job.outputs.some((o) => o.status === 'done');

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      if (err instanceof ApiError && err.status !== 401) setError(err.message);
    } finally {
      setBusy(false);
    }
  };

  const remove = () =>
    run(async () => {
      await deleteJob(job.id);
      navigate({ name: 'jobs' });
    });

  return (
    <div class="actions">
      {finished && anyDone && (
        <a class="button button--primary" href={downloadZipUrl(job.id)} download>
          Download ZIP
        </a>
      )}
      {job.status === 'failed' && (
        <button
          type="button"
          class="button button--secondary"
          disabled={busy}
          onClick={() => run(async () => onChange(await retryJob(job.id)))}
        >
          Retry failed
        </button>
      )}
      {!finished && <NotifyToggle />}
      {finished ? (
        <ConfirmButton
          label="Delete"
          question="Delete this batch and its files?"
          confirmLabel="Delete batch"
          onConfirm={remove}
          busy={busy}
        />
      ) : (
        <ConfirmButton
          label="Cancel"
          question="Stop and delete this batch?"
          confirmLabel="Cancel batch"
          onConfirm={remove}
          busy={busy}
        />
      )}
      {error && (
        <p class="error-text actions__error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
