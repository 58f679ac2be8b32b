import { useEffect, useState } from 'preact/hooks';

/**
 * The route lives in the URL hash (#/new, #/jobs, #/jobs/<id>, #/settings) so that a reload, a shared link
 * or a sign-in detour comes back to the same screen.
 */
export type Route = { name: 'new' } | { name: 'jobs' } | { name: 'job'; id: string } | { name: 'settings' };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  if (parts[0] === 'jobs' && parts[1]) return { name: 'job', id: decodeURIComponent(parts[1]) };
  if (parts[0] === 'jobs') return { name: 'jobs' };
  if (parts[0] === 'settings') return { name: 'settings' };
  return { name: 'new' };
}

export function routeHref(route: Route): string {
  if (route.name === 'job') return `#/jobs/${encodeURIComponent(route.id)}`;
  return `#/${route.name}`;
}

export function navigate(route: Route): void {
  window.location.hash = routeHref(route);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
