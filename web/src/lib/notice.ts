import { createStore } from './store.js';

/** One short message for the next screen (after a batch was deleted); shown once, then cleared. */
export const notice = createStore<string | null>(null);
