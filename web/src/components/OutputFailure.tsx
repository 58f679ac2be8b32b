import type { OutputView } from '../api/types.js';

/** Why a variation failed, in plain words first; the technical line the server stored behind a toggle. */
export function OutputFailure({ output }: { output: OutputView }) {
  if (!output.error) return null;
  const plain = output.errorPlain ?? output.error;
  return (
    <div class="failure small">
      <p class="error-text">{plain}</p>
      {plain !== output.error && (
        <details class="failure__technical">
          <summary class="changes__toggle">Technical detail</summary>
          <p class="muted">{output.error}</p>
        </details>
      )}
    </div>
  );
}
