import { useEffect } from 'preact/hooks';
import { checkSession } from './api/endpoints.js';
import { serverReachable, session } from './api/session.js';
import { ConnectionBanner } from './components/ConnectionBanner.js';
import { Header } from './components/Header.js';
import { useRoute } from './lib/route.js';
import { useStore } from './lib/store.js';
import { JobDetail } from './screens/JobDetail.js';
import { JobsList } from './screens/JobsList.js';
import { NewBatch } from './screens/NewBatch.js';
import { Settings } from './screens/Settings.js';
import { SignIn } from './screens/SignIn.js';

/**
 * Signed out, any route shows sign-in and keeps the hash; signing in shows that route again.
 * The new-batch screen stays mounted so uploads continue while the user looks elsewhere.
 */
export function App() {
  const state = useStore(session);
  const reachable = useStore(serverReachable);
  const route = useRoute();

  useEffect(() => {
    if (state !== 'unknown' || !reachable) return;
    checkSession()
      .then(() => session.set('signed-in'))
      .catch((err: { status?: number }) => {
        if (err.status === 401) session.set('signed-out');
      });
  }, [state, reachable]);

  return (
    <>
      <ConnectionBanner />
      {state === 'unknown' && (
        <main class="boot" aria-busy="true">
          <span class="muted">Loading…</span>
        </main>
      )}
      {state === 'signed-out' && <SignIn />}
      {state === 'signed-in' && (
        <>
          <Header route={route} />
          <main class="page" id="main">
            <NewBatch active={route.name === 'new'} />
            {route.name === 'jobs' && <JobsList />}
            {route.name === 'job' && <JobDetail id={route.id} />}
            {route.name === 'settings' && <Settings />}
          </main>
        </>
      )}
    </>
  );
}
