import { percent } from '../lib/format.js';

interface Props {
  value: number;
  label: string;
  /** Thin variant for per-output bars inside cards. */
  small?: boolean;
  tone?: 'active' | 'done' | 'failed';
}

/** A progress bar that screen readers announce by name and percentage. */
export function ProgressBar({ value, label, small, tone = 'active' }: Props) {
  const pct = percent(value);
  return (
    <div
      class={`progress ${small ? 'progress--small' : ''} progress--${tone}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct}
      aria-valuetext={`${pct}%`}
    >
      <div class="progress__fill" style={{ width: `${pct}%` }} />
    </div>
  );
}
