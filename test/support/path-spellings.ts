/**
 * Other ways to write the same path. A check that reads one spelling while the router decodes
 * another lets a request through; every protected route is requested under each of these. A new
 * route is covered by being in the OpenAPI document (or in the hidden-route list of the test).
 */
export interface PathSpelling {
  name: string;
  spell(path: string): string;
}

const hex = (ch: string) => ch.charCodeAt(0).toString(16);
const encodeLetters = (segment: string, upper: boolean) =>
  segment.replace(/[a-z]/gi, (ch) => `%${upper ? hex(ch).toUpperCase() : hex(ch)}`);
/** `/api/jobs/x` → ['', 'api', 'jobs', 'x']. */
const segments = (path: string) => path.split('/');
const withSegments = (path: string, edit: (parts: string[]) => string[]) => edit(segments(path)).join('/');

export const PATH_SPELLINGS: readonly PathSpelling[] = [
  { name: 'as written', spell: (p) => p },
  { name: 'first letter percent-encoded', spell: (p) => `/%${hex(p[1] as string)}${p.slice(2)}` },
  {
    name: 'one letter in the middle percent-encoded',
    spell: (p) =>
      withSegments(p, (s) =>
        s.map((x, i) => (i === 2 ? `${x.slice(0, 1)}%${hex(x[1] ?? 'a')}${x.slice(2)}` : x)),
      ),
  },
  { name: 'every letter percent-encoded', spell: (p) => encodeLetters(p, true) },
  { name: 'every letter percent-encoded, lower-case hex', spell: (p) => encodeLetters(p, false) },
  { name: 'slashes percent-encoded', spell: (p) => `/${p.slice(1).replaceAll('/', '%2F')}` },
  { name: 'slashes percent-encoded, lower-case hex', spell: (p) => `/${p.slice(1).replaceAll('/', '%2f')}` },
  { name: 'double-encoded letter', spell: (p) => `/%25${hex(p[1] as string)}${p.slice(2)}` },
  { name: 'double-encoded slash', spell: (p) => `/${p.slice(1).replaceAll('/', '%252F')}` },
  { name: 'doubled slash in front', spell: (p) => `/${p}` },
  { name: 'doubled slash inside', spell: (p) => p.replace('/api/', '/api//') },
  { name: 'dot segment in front', spell: (p) => `/.${p}` },
  { name: 'dot segment inside', spell: (p) => p.replace('/api/', '/api/./') },
  { name: 'encoded dot segment', spell: (p) => p.replace('/api/', '/api/%2e/') },
  { name: 'dot-dot segment', spell: (p) => `/static/..${p}` },
  { name: 'dot-dot segment inside', spell: (p) => p.replace('/api/', '/api/x/../') },
  { name: 'encoded dot-dot segment', spell: (p) => p.replace('/api/', '/api/x/%2e%2e/') },
  { name: 'encoded dot-dot and slash', spell: (p) => p.replace('/api/', '/api/x%2F%2e%2e%2F') },
  { name: 'upper case', spell: (p) => p.toUpperCase() },
  { name: 'first segment capitalised', spell: (p) => p.replace('/api', '/Api') },
  { name: 'semicolon parameter on a segment', spell: (p) => p.replace('/api/', '/api;v=1/') },
  { name: 'semicolon parameter at the end', spell: (p) => `${p};v=1` },
  { name: 'trailing encoded space', spell: (p) => `${p}%20` },
  { name: 'trailing encoded tab', spell: (p) => `${p}%09` },
  { name: 'trailing encoded NUL', spell: (p) => `${p}%00` },
  { name: 'trailing slash', spell: (p) => `${p}/` },
  { name: 'trailing dot', spell: (p) => `${p}.` },
  { name: 'encoded question mark', spell: (p) => `${p}%3Fx=1` },
  { name: 'query naming a public path', spell: (p) => `${p}?next=/api/health` },
  { name: 'absolute form', spell: (p) => `http://127.0.0.1${p}` },
];
