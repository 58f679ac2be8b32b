import { createStore } from '../lib/store.js';

/** 'unknown' until the first GET /api/session answers; any 401 sets 'signed-out'. */
export type SessionState = 'unknown' | 'signed-in' | 'signed-out';

export const session = createStore<SessionState>('unknown');

/** False while the server cannot be reached; the banner retries and sets it back. */
export const serverReachable = createStore<boolean>(true);
