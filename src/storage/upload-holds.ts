import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { StorageBudget } from './disk-space.js';

/**
 * A resumable upload promises its declared length from the moment it starts until it is admitted,
 * deleted or abandoned. The promise outlives a restart: tus keeps `<id>.json` beside each unfinished
 * upload, and start-up holds their sizes again.
 */
export const uploadHoldKey = (uploadId: string) => `upload:${uploadId}`;

/** Holds every unfinished upload found in the tus folder; returns how many. */
export function holdUnfinishedUploads(budget: StorageBudget, tusDir: string): number {
  let names: string[];
  try {
    names = readdirSync(tusDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  let held = 0;
  for (const name of names.filter((n) => n.endsWith('.json'))) {
    const size = declaredSize(path.join(tusDir, name));
    if (size === null) continue;
    budget.hold(uploadHoldKey(path.basename(name, '.json')), size);
    held++;
  }
  return held;
}

function declaredSize(infoFile: string): number | null {
  try {
    const info = JSON.parse(readFileSync(infoFile, 'utf8')) as { size?: unknown };
    return typeof info.size === 'number' && info.size >= 0 ? info.size : null;
  } catch {
    // Half-written or foreign: the janitor removes it with the stale upload.
    return null;
  }
}
