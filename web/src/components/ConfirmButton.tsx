import { useEffect, useRef, useState } from 'preact/hooks';

interface Props {
  label: string;
  /** Shown once clicked, with the confirm and keep buttons. */
  question: string;
  confirmLabel: string;
  onConfirm: () => void;
  busy?: boolean;
}

/**
 * A destructive action that asks once, inline, instead of a blocking browser dialog. The question
 * takes focus on its safe answer, so a stray Enter keeps things as they are.
 */
export function ConfirmButton({ label, question, confirmLabel, onConfirm, busy }: Props) {
  const [asking, setAsking] = useState(false);
  const keepRef = useRef<HTMLButtonElement>(null);
  const askRef = useRef<HTMLButtonElement>(null);
  const answered = useRef(false);
  // Focus follows the swap between the button and its question, so keyboard users never lose it.
  useEffect(() => {
    if (asking) keepRef.current?.focus();
    else if (answered.current) askRef.current?.focus();
    answered.current = asking;
  }, [asking]);
  if (!asking) {
    return (
      <button
        ref={askRef}
        type="button"
        class="button button--ghost"
        onClick={() => setAsking(true)}
        disabled={busy}
      >
        {label}
      </button>
    );
  }
  return (
    <span class="confirm">
      <span class="confirm__question">{question}</span>
      <button type="button" class="button button--danger" onClick={onConfirm} disabled={busy}>
        {confirmLabel}
      </button>
      <button ref={keepRef} type="button" class="button button--ghost" onClick={() => setAsking(false)}>
        Keep
      </button>
    </span>
  );
}
