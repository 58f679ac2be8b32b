import { useState } from 'preact/hooks';
import { sourceThumbnailUrl } from '../api/endpoints.js';
import type { SourceView } from '../api/types.js';
import { formatDuration } from '../lib/format.js';
import { shapeOf } from './tileShape.js';

/**
 * The original video, first in its row at its true shape, so each variation can be compared with it.
 * Before the server has its still (or if it could not make one) the tile says "Original" in words
 * rather than showing a broken image.
 */
interface Props {
  jobId: string;
  source: SourceView;
  /** The server makes the still before the first variation of this source: asked for only after it. */
  stillMade: boolean;
}

export function OriginalTile({ jobId, source, stillMade }: Props) {
  const [missing, setMissing] = useState(false);
  return (
    <li class="output output--original">
      <div class="output__media" style={shapeOf(source)}>
        {missing || !stillMade ? (
          <div class="output__pending">
            <span>Original</span>
          </div>
        ) : (
          <img
            src={sourceThumbnailUrl(jobId, source.id)}
            alt={`Original: ${source.name}`}
            loading="lazy"
            onError={() => setMissing(true)}
          />
        )}
      </div>
      <div class="output__body">
        <div class="output__head">
          <span class="output__name">Original</span>
        </div>
        <p class="muted small output__facts">
          {source.width}×{source.height} · {formatDuration(source.durationSec)}
        </p>
      </div>
    </li>
  );
}
