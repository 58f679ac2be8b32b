import { useState } from 'preact/hooks';

/**
 * "Paste a link": the server fetches the video and it joins the batch like an upload. Not a form of
 * its own (it sits inside the batch's form): Enter adds the link instead of creating the batch.
 */
export function LinkImport({ onAdd }: { onAdd: (link: string) => void }) {
  const [link, setLink] = useState('');
  const [error, setError] = useState<string | null>(null);

  const add = () => {
    const text = link.trim();
    if (!/^https?:\/\/\S+$/i.test(text)) {
      setError('Paste a link that starts with http:// or https://.');
      return;
    }
    setError(null);
    setLink('');
    onAdd(text);
  };

  return (
    <div class="field link-import">
      <label class="field__label" for="link-import">
        Paste a link
      </label>
      <div class="link-import__row">
        <input
          id="link-import"
          type="url"
          inputMode="url"
          autoComplete="off"
          spellcheck={false}
          placeholder="https://… (a video file, Google Drive or Dropbox)"
          value={link}
          onInput={(e) => setLink(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              add();
            }
          }}
          aria-describedby="link-import-hint"
        />
        <button type="button" class="button button--secondary" onClick={add}>
          Add
        </button>
      </div>
      <span id="link-import-hint" class={error ? 'error-text' : 'field__hint'}>
        {error ?? 'The server downloads the video; share links must be open to anyone with the link.'}
      </span>
    </div>
  );
}
