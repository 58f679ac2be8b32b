import { useEffect, useState } from 'preact/hooks';

const SETTLE_MS = 250;

/** Finds batches by name or file name: the list asks the server once typing pauses. */
export function JobSearch({ onSearch }: { onSearch: (query: string) => void }) {
  const [text, setText] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => onSearch(text.trim()), SETTLE_MS);
    return () => clearTimeout(timer);
  }, [text, onSearch]);
  return (
    <label class="field job-search">
      <span class="field__label">Search batches</span>
      <input
        type="search"
        value={text}
        maxLength={80}
        placeholder="Name or file name"
        onInput={(e) => setText(e.currentTarget.value)}
      />
    </label>
  );
}
