import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { migrate } from './migrations.js';

export type Db = DatabaseSync;

/**
 * Opens (creating if needed) the SQLite file and brings its schema up to date. WAL lets status reads
 * run while the worker writes; busy_timeout makes a rare lock wait instead of failing with SQLITE_BUSY;
 * synchronous NORMAL is durable across process crashes in WAL mode and much cheaper than FULL.
 */
export function openDatabase(file: string): Db {
  mkdirSync(path.dirname(file), { recursive: true });
  const db = new DatabaseSync(file);
  try {
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA busy_timeout = 5000');
    db.exec('PRAGMA foreign_keys = ON');
    db.exec('PRAGMA synchronous = NORMAL');
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
