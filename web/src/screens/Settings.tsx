import { useEffect, useRef, useState } from 'preact/hooks';
import { createToken, listTokens, revokeToken } from '../api/endpoints.js';
import { ApiError } from '../api/http.js';
import type { ApiTokenView, NewApiTokenView } from '../api/types.js';
import { ConfirmButton } from '../components/ConfirmButton.js';
import { ScreenHeading } from '../components/ScreenHeading.js';
import { useNow } from '../hooks/useNow.js';
import { formatAgo } from '../lib/format.js';

const explain = (err: unknown) =>
  err instanceof ApiError ? err.message : 'Something went wrong. Try again.';

/** API tokens for scripts: create one (shown once), see when each was last used, revoke. */
export function Settings() {
  const [tokens, setTokens] = useState<ApiTokenView[] | null>(null);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<NewApiTokenView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const secretRef = useRef<HTMLInputElement>(null);
  const now = useNow();

  const reload = () =>
    listTokens()
      .then(setTokens)
      .catch((err: unknown) => setError(explain(err)));
  useEffect(() => {
    reload();
  }, []);
  // The new token is what the person came for: focus and select it, ready to copy.
  useEffect(() => {
    if (created) secretRef.current?.select();
  }, [created]);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setCreated(await createToken(name.trim()));
      setName('');
      await reload();
    } catch (err) {
      setError(explain(err));
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (id: string) => {
    setError(null);
    try {
      await revokeToken(id);
      if (created?.id === id) setCreated(null);
      await reload();
    } catch (err) {
      setError(explain(err));
    }
  };

  const live = tokens?.filter((t) => !t.revoked) ?? [];
  return (
    <section class="screen">
      <div class="screen__head">
        <ScreenHeading title="Settings" />
      </div>
      <div class="card">
        <h2 class="card__title">API tokens</h2>
        <p class="muted">
          A script, a Zapier or n8n flow, or a dashboard signs in with a token instead of the password: send
          it as <code>Authorization: Bearer …</code>. Revoke a token when the script that holds it is gone.
        </p>
        <form class="token-form" onSubmit={submit}>
          <label class="field">
            <span class="field__label">Name</span>
            <input
              type="text"
              required
              maxLength={100}
              placeholder="Monday refresh"
              value={name}
              onInput={(e) => setName(e.currentTarget.value)}
            />
          </label>
          <button type="submit" class="button button--primary" disabled={busy || name.trim() === ''}>
            {busy ? 'Creating…' : 'Create token'}
          </button>
        </form>
        {error && (
          <p class="error-text" role="alert">
            {error}
          </p>
        )}
        {created && (
          <div class="token-secret" role="status">
            <label class="field">
              <span class="field__label">Token “{created.name}” — copy it now, it is not shown again</span>
              <input ref={secretRef} type="text" readOnly value={created.token} aria-label="New API token" />
            </label>
            <button
              type="button"
              class="button button--ghost"
              onClick={() => navigator.clipboard?.writeText(created.token)}
            >
              Copy
            </button>
          </div>
        )}
        {tokens !== null && live.length === 0 && <p class="muted">No tokens yet.</p>}
        {live.length > 0 && (
          <ul class="token-list" aria-label="API tokens">
            {live.map((token) => (
              <li key={token.id} class="token-list__item">
                <span class="token-list__name">{token.name}</span>
                <span class="muted">
                  created {formatAgo(Date.parse(token.createdAt), now)} ·{' '}
                  {token.lastUsedAt
                    ? `last used ${formatAgo(Date.parse(token.lastUsedAt), now)}`
                    : 'never used'}
                </span>
                <ConfirmButton
                  label="Revoke"
                  question="Scripts using it stop working."
                  confirmLabel="Revoke token"
                  onConfirm={() => revoke(token.id)}
                />
              </li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
