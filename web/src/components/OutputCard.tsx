import { useEffect, useRef, useState } from 'preact/hooks';
import { outputUrl, thumbnailUrl } from '../api/endpoints.js';
import type { OutputView } from '../api/types.js';
import { formatBytes, formatDuration, percent } from '../lib/format.js';
import { OutputChips } from './OutputChips.js';
import { OutputFailure } from './OutputFailure.js';
import { FormatLabel, PlatformChecks } from './PlacementNotes.js';
import { ProgressBar } from './ProgressBar.js';
import { StatusBadge, statusLabel, toneOf } from './StatusBadge.js';
import { shapeOf } from './tileShape.js';
import { VpdqLine } from './VpdqLine.js';

interface Props {
  jobId: string;
  output: OutputView;
  /** The picture's size before the output has its own: its source's. */
  fallbackSize: { width: number; height: number };
  /** Whether the variation is picked for "Download selected"; finished ones only. */
  selected: boolean;
  onSelect: (id: string) => void;
}

/** One variation: its thumbnail (click to play inline), progress, what changed, and a download. */
export function OutputCard({ jobId, output, fallbackSize, selected, onSelect }: Props) {
  const [playing, setPlaying] = useState(false);
  const video = useRef<HTMLVideoElement>(null);
  // The Play button is replaced by the player: focus follows it instead of falling to the page's top.
  useEffect(() => {
    if (playing) video.current?.focus();
  }, [playing]);
  const done = output.status === 'done';
  const name = output.file;
  const src = outputUrl(jobId, output.id);
  const thumb = thumbnailUrl(jobId, output.id);

  return (
    <li class={`output output--${output.status}${selected ? ' output--picked' : ''}`}>
      <div class="output__media" style={shapeOf(output.width ? output : fallbackSize)}>
        {done && playing && (
          // biome-ignore lint/a11y/useMediaCaption: generated ad variations have no caption track.
          <video
            ref={video}
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
          <span class="output__title">
            {done && (
              <input
                type="checkbox"
                class="output__pick"
                checked={selected}
                onChange={() => onSelect(output.id)}
                aria-label={`Select ${name}`}
              />
            )}
            <span class="output__name" title={name}>
              v{String(output.index).padStart(2, '0')} <FormatLabel output={output} />
            </span>
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
        <OutputFailure output={output} />
        {done && output.distinctness && <VpdqLine distinctness={output.distinctness} />}
        {done && <PlatformChecks output={output} />}
        <OutputChips name={name} effects={output.effects} />
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
