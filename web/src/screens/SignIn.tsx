import { useState } from 'preact/hooks';
import { signIn } from '../api/endpoints.js';
import { ApiError } from '../api/http.js';
import { session } from '../api/session.js';
import { ScreenHeading } from '../components/ScreenHeading.js';

function explain(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something went wrong. Try again.';
  if (error.code === 'wrong_password') return 'Wrong password. Try again.';
  return error.message;
}

/** The team password. The route stays in the hash, so signing in returns to the same screen. */
export function SignIn() {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(password);
      session.set('signed-in');
    } catch (err) {
      setError(explain(err));
      setBusy(false);
    }
  };

  return (
    <main class="signin">
      <form class="card signin__card" onSubmit={submit}>
        <div class="brand brand--large" aria-hidden="true">
          <span class="brand__mark">V</span> vidvar
        </div>
        <ScreenHeading title="Sign in" focus={false} />
        <p class="muted">Turn a few ad videos into many distinct variations.</p>
        <label class="field">
          <span class="field__label">Password</span>
          <input
            type="password"
            name="password"
            autoComplete="current-password"
            required
            // biome-ignore lint/a11y/noAutofocus: the only field of the sign-in screen, typed into at once.
            autoFocus
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'signin-error' : undefined}
          />
        </label>
        {error && (
          <p id="signin-error" class="error-text" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="button button--primary button--block" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
