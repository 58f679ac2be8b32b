import { downloadZipUrl } from '../api/endpoints.js';
import type { JobView, SourceView } from '../api/types.js';
import type { Selection } from '../hooks/useSelection.js';
import { formatBytes, formatDuration } from '../lib/format.js';
import { OriginalTile } from './OriginalTile.js';
import { OutputCard } from './OutputCard.js';
import { ProgressBar } from './ProgressBar.js';

/** A source video and the contact sheet of its variations. */
export function SourceSection({
  job,
  source,
  selection,
}: {
  job: JobView;
  source: SourceView;
  selection: Selection;
}) {
  const outputs = job.outputs.filter((o) => o.sourceId === source.id).sort((a, b) => a.index - b.index);
  const done = outputs.filter((o) => o.status === 'done').length;
  const progress = outputs.length ? outputs.reduce((sum, o) => sum + o.progress, 0) / outputs.length : 0;
  const headingId = `source-${source.id}`;
  return (
    <section class="card source" aria-labelledby={headingId}>
      <header class="source__head">
        <div>
          <h2 id={headingId} class="source__name">
            {source.name}
          </h2>
          <p class="muted small">
            {source.width}×{source.height} · {formatDuration(source.durationSec)} ·{' '}
            {formatBytes(source.sizeBytes)}
          </p>
        </div>
        <div class="source__side">
          <span class="source__count">
            {done} of {outputs.length} ready
          </span>
          {done > 0 && (
            <a class="link small" href={downloadZipUrl(job.id, { source: source.id })} download>
              Download this source <span class="visually-hidden">({source.name})</span>
            </a>
          )}
        </div>
      </header>
      <ProgressBar
        value={progress}
        label={`Progress of ${source.name}`}
        tone={done === outputs.length ? 'done' : 'active'}
        small
      />
      <ul
        class={`contact-sheet${source.width > source.height ? ' contact-sheet--landscape' : ''}`}
        aria-label={`Variations of ${source.name}`}
      >
        <OriginalTile jobId={job.id} source={source} stillMade={done > 0} />
        {outputs.map((output) => (
          <OutputCard
            key={output.id}
            jobId={job.id}
            output={output}
            fallbackSize={source}
            selected={selection.has(output.id)}
            onSelect={selection.toggle}
          />
        ))}
      </ul>
    </section>
  );
}
