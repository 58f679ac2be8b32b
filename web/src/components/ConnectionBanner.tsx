import { useEffect, useState } from 'preact/hooks';
import { checkHealth } from '../api/endpoints.js';
import { serverReachable } from '../api/session.js';
import { useStore } from '../lib/store.js';

const FIRST_RETRY_S = 2;
const MAX_RETRY_S = 30;

/** While the server cannot be reached: says so, counts down, and retries by itself. */
export function ConnectionBanner() {
  const reachable = useStore(serverReachable);
  const [attempt, setAttempt] = useState(0);
  const [left, setLeft] = useState(FIRST_RETRY_S);

  useEffect(() => {
    if (reachable) {
      setAttempt(0);
      return;
    }
    const wait = Math.min(FIRST_RETRY_S * 2 ** attempt, MAX_RETRY_S);
    setLeft(wait);
    const tick = setInterval(() => setLeft((s) => Math.max(0, s - 1)), 1000);
    const retry = setTimeout(() => {
      // A success flips serverReachable (and hides this banner); a failure waits longer.
      checkHealth().catch(() => setAttempt((a) => a + 1));
    }, wait * 1000);
    return () => {
      clearInterval(tick);
      clearTimeout(retry);
    };
  }, [reachable, attempt]);

  if (reachable) return null;
  return (
    <div class="banner" role="alert">
      <span>Can’t reach the server. {left > 0 ? `Trying again in ${left} s…` : 'Trying again…'}</span>
      <button type="button" class="button button--small" onClick={() => checkHealth().catch(() => undefined)}>
        Try now
      </button>
    </div>
  );
}
