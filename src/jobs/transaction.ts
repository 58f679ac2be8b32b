import type { DatabaseSync } from 'node:sqlite';

/**
 * Runs fn in one transaction and returns its result; rolls back and rethrows when it throws.
 * BEGIN IMMEDIATE takes the write lock up front, so a claim never reads a row and then loses the
 * upgrade to a writer on another connection (SQLITE_BUSY mid-transaction, which busy_timeout cannot
 * wait out); the lock is held only for fn, which is synchronous and short. Not reentrant: fn must not
 * start another transaction.
 */
export function transaction<T>(db: DatabaseSync, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    // SQLite may already have rolled back by itself (e.g. on SQLITE_FULL); a second ROLLBACK would throw.
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}
