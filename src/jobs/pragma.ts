import type { DatabaseSync } from 'node:sqlite';

/**
 * The value of a pragma that answers with one value (`user_version`, `journal_mode`…). node:sqlite
 * returns it as a row named after the pragma (or not: busy_timeout's column is `timeout`).
 */
export function readPragma(db: DatabaseSync, name: string): unknown {
  const row = db.prepare(`PRAGMA ${name}`).get();
  return row === undefined ? undefined : Object.values(row)[0];
}
