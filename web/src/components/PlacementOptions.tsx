import type { NewJobRequest } from '../api/types.js';

/** Where the ads will run: placements, how a picture of another shape fills them, and the platform. */
export interface PlacementSettings {
  formats: string[];
  /** False until the user ticks a placement: a platform then brings its own. */
  formatsChosen: boolean;
  fit: 'crop' | 'blur' | 'pad';
  padColour: string;
  platform: string;
}

export const DEFAULT_PLACEMENT: PlacementSettings = {
  formats: ['source'],
  formatsChosen: false,
  fit: 'crop',
  padColour: '#000000',
  platform: '',
};

const FORMATS: Array<{ value: string; label: string; hint: string }> = [
  { value: 'source', label: 'Original', hint: 'Same shape as the video' },
  { value: '9x16', label: '9:16', hint: 'Reels, Stories, TikTok, Shorts' },
  { value: '4x5', label: '4:5', hint: 'Feed' },
  { value: '1x1', label: '1:1', hint: 'Feed' },
  { value: '16x9', label: '16:9', hint: 'YouTube' },
];

const PLATFORMS: Array<{ value: string; label: string }> = [
  { value: '', label: 'None: no checks' },
  { value: 'meta', label: 'Meta (Facebook, Instagram)' },
  { value: 'tiktok', label: 'TikTok' },
  { value: 'youtube-shorts', label: 'YouTube Shorts' },
  { value: 'youtube', label: 'YouTube' },
];

/** A wide picture placed in a tall frame, drawn the way each fit fills it. */
function FitPicture({ fit }: { fit: PlacementSettings['fit'] }) {
  return (
    <svg class="fit-picture" viewBox="0 0 36 48" width="36" height="48" aria-hidden="true">
      <rect
        x="0.5"
        y="0.5"
        width="35"
        height="47"
        rx="3"
        fill={fit === 'pad' ? '#222' : 'none'}
        stroke="currentColor"
      />
      {fit === 'crop' && <rect x="1" y="1" width="34" height="46" rx="2.5" fill="#7aa7e0" />}
      {fit === 'blur' && <rect x="1" y="1" width="34" height="46" rx="2.5" fill="#7aa7e0" opacity="0.35" />}
      {fit !== 'crop' && <rect x="1" y="16" width="34" height="16" fill="#7aa7e0" />}
      <circle cx="18" cy="24" r="4" fill="#f5c542" />
    </svg>
  );
}

const FITS: Array<{ value: PlacementSettings['fit']; label: string; hint: string }> = [
  { value: 'crop', label: 'Crop', hint: 'Fill the frame, trim the sides' },
  { value: 'blur', label: 'Blur', hint: 'Whole picture on a blurred copy' },
  { value: 'pad', label: 'Pad', hint: 'Whole picture on a plain colour' },
];

/** The fields of POST /api/jobs these settings give; nothing when they are the defaults. */
export function placementRequest(s: PlacementSettings): Partial<NewJobRequest> {
  const formats = s.formatsChosen && s.formats.length > 0 ? { formats: s.formats } : {};
  const placed = (s.formatsChosen && s.formats.some((f) => f !== 'source')) || s.platform !== '';
  return {
    ...formats,
    ...(s.platform ? { platform: s.platform } : {}),
    ...(placed ? { fit: s.fit } : {}),
    ...(placed && s.fit === 'pad' ? { padColour: s.padColour } : {}),
  };
}

interface Props {
  value: PlacementSettings;
  onChange: (next: PlacementSettings) => void;
}

export function PlacementOptions({ value, onChange }: Props) {
  const toggle = (format: string, on: boolean) => {
    // What the boxes showed before this first tick: the source's shape, or nothing under a platform.
    const shown = value.formatsChosen ? value.formats : value.platform ? [] : ['source'];
    const formats = on ? [...shown, format] : shown.filter((f) => f !== format);
    const ordered = FORMATS.map((f) => f.value).filter((f) => formats.includes(f));
    onChange({ ...value, formats: ordered, formatsChosen: true });
  };
  return (
    <div class="options placement-options">
      <label class="field">
        <span class="field__label">Platform</span>
        <select
          value={value.platform}
          onChange={(e) => onChange({ ...value, platform: e.currentTarget.value })}
          aria-describedby="platform-hint"
        >
          {PLATFORMS.map((p) => (
            <option key={p.value} value={p.value}>
              {p.label}
            </option>
          ))}
        </select>
        <span id="platform-hint" class="field__hint">
          Checks every file against the platform's published limits and sets the sound to −14 LUFS.
          {value.platform &&
            !value.formatsChosen &&
            ' Its own placements are made unless you pick some below.'}
        </span>
      </label>

      <fieldset class="field segmented">
        <legend class="field__label">Placements</legend>
        <div class="segmented__options placement-options__formats">
          {FORMATS.map((f) => (
            <label key={f.value} class="segmented__option">
              <input
                type="checkbox"
                name="formats"
                value={f.value}
                checked={
                  value.formatsChosen
                    ? value.formats.includes(f.value)
                    : f.value === 'source' && !value.platform
                }
                onChange={(e) => toggle(f.value, e.currentTarget.checked)}
              />
              <span class="segmented__label">{f.label}</span>
              <span class="placement-hint">{f.hint}</span>
            </label>
          ))}
        </div>
      </fieldset>

      <fieldset class="field segmented">
        <legend class="field__label">Fit</legend>
        <div class="segmented__options">
          {FITS.map((f) => (
            <label key={f.value} class="segmented__option fit-option">
              <input
                type="radio"
                name="fit"
                value={f.value}
                checked={value.fit === f.value}
                onChange={() => onChange({ ...value, fit: f.value })}
              />
              <FitPicture fit={f.value} />
              <span class="segmented__label">{f.label}</span>
              <span class="placement-hint">{f.hint}</span>
            </label>
          ))}
        </div>
      </fieldset>

      {value.fit === 'pad' && (
        <label class="field">
          <span class="field__label">Pad colour</span>
          <input
            type="color"
            value={value.padColour}
            onInput={(e) => onChange({ ...value, padColour: e.currentTarget.value })}
          />
        </label>
      )}
    </div>
  );
}
