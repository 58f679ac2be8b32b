import { useState } from 'preact/hooks';
import { deleteJob, downloadZipUrl, retryJob, stopJob } from '../api/endpoints.js';
import { ApiError } from '../api/http.js';
import { isFinished, type JobView } from '../api/types.js';
import { notice } from '../lib/notice.js';
import { navigate } from '../lib/route.js';
import { ConfirmButton } from './ConfirmButton.js';
import { NotifyToggle } from './NotifyToggle.js';

/**
 * Download, retry, stop or delete a batch; each failure says why next to the buttons. Stop keeps the
 * finished variations; Delete removes everything and says so on the next screen.
 */
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
      notice.set('The batch and its files were deleted.');
      navigate({ name: 'jobs' });
    });

  const stop = () => run(async () => onChange(await stopJob(job.id)));

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
      {!finished && (
        <ConfirmButton
          label="Stop"
          question="Stop this batch? Finished variations are kept."
          confirmLabel="Stop batch"
          onConfirm={stop}
          busy={busy}
        />
      )}
      <ConfirmButton
        label="Delete"
        question="Delete this batch and all its files?"
        confirmLabel="Delete batch"
        onConfirm={remove}
        busy={busy}
      />
      {error && (
        <p class="error-text actions__error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
