import { clip } from './clips.js';

/** Generate the most used clips once, before test files run in parallel. */
export default function setup(): void {
  clip();
}
