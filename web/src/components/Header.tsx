import { signOut } from '../api/endpoints.js';
import { session } from '../api/session.js';
import { type Route, routeHref } from '../lib/route.js';

/** Brand, the main screens, and sign-out. */
export function Header({ route }: { route: Route }) {
  const current = (name: Route['name']) => (route.name === name ? 'page' : undefined);
  const leave = () => signOut().finally(() => session.set('signed-out'));
  return (
    <header class="topbar">
      <div class="topbar__inner">
        <a class="brand" href={routeHref({ name: 'new' })}>
          <span class="brand__mark" aria-hidden="true">
            V
          </span>
          vidvar
        </a>
        <nav class="nav" aria-label="Main">
          <a class="nav__link" href={routeHref({ name: 'new' })} aria-current={current('new')}>
            New batch
          </a>
          <a
            class="nav__link"
            href={routeHref({ name: 'jobs' })}
            aria-current={current('jobs') ?? current('job')}
          >
            Jobs
          </a>
          <a class="nav__link" href={routeHref({ name: 'settings' })} aria-current={current('settings')}>
            Settings
          </a>
        </nav>
        <button type="button" class="button button--ghost button--small" onClick={leave}>
          Sign out
        </button>
      </div>
    </header>
  );
}
