import { useState } from 'preact/hooks';
import { outputUrl, thumbnailUrl } from '../api/endpoints.js';
import type { OutputView } from '../api/types.js';
import { formatBytes, formatDuration, percent } from '../lib/format.js';
import { FormatLabel, PlatformChecks } from './PlacementNotes.js';
import { ProgressBar } from './ProgressBar.js';
import { StatusBadge, statusLabel, toneOf } from './StatusBadge.js';
import { VpdqLine } from './VpdqLine.js';

/** One variation: its thumbnail (click to play inline), progress, what changed, and a download. */
export function OutputCard({ jobId, output }: { jobId: string; output: OutputView }) {
  const [playing, setPlaying] = useState(false);
  const done = output.status === 'done';
  const name = output.file;
  const src = outputUrl(jobId, output.id);
  const thumb = thumbnailUrl(jobId, output.id);

  return (
    <li class={`output output--${output.status}`}>
      <div class="output__media">
        {done && playing && (
          // biome-ignore lint/a11y/useMediaCaption: generated ad variations have no caption track.
          <video
            src={src}
            poster={thumb}
            controls
            autoPlay
            playsInline
            preload="metadata"
            aria-label={name}
          />
        )}
        {done && !playing && (
          <button
            type="button"
            class="output__play"
            onClick={() => setPlaying(true)}
            aria-label={`Play ${name}`}
          >
            <img src={thumb} alt="" loading="lazy" />
            <span class="output__play-icon" aria-hidden="true" />
          </button>
        )}
        {!done && (
          <div class="output__pending">
            <span>{statusLabel(output.status)}</span>
            {output.status === 'running' && <span class="output__percent">{percent(output.progress)}%</span>}
          </div>
        )}
      </div>
      <div class="output__body">
        <div class="output__head">
          <span class="output__name" title={name}>
            v{String(output.index).padStart(2, '0')} <FormatLabel output={output} />
          </span>
          <StatusBadge status={output.status} />
        </div>
        {!done && (
          <ProgressBar
            value={output.progress}
            label={`Progress of ${name}`}
            tone={toneOf(output.status)}
            small
          />
        )}
        {output.error && <p class="error-text small">{output.error}</p>}
        {done && output.distinctness && <VpdqLine distinctness={output.distinctness} />}
        {done && <PlatformChecks output={output} />}
        {output.effects.length > 0 && (
          <ul class="effects" aria-label={`What changed in ${name}`}>
            {output.effects.map((effect) => (
              <li key={effect.id} title={effect.label}>
                {effect.description}
              </li>
            ))}
          </ul>
        )}
        {done && (
          <div class="output__foot">
            <span class="muted small">
              {output.size !== undefined && formatBytes(output.size)}
              {output.durationSec !== undefined && ` · ${formatDuration(output.durationSec)}`}
            </span>
            <a class="link small" href={src} download={name}>
              Download <span class="visually-hidden">{name}</span>
            </a>
          </div>
        )}
      </div>
    </li>
  );
}
