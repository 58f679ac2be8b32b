import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';

/** A server's DATA_DIR seen from outside: a fresh one, its rows and its files. */
export function newDataDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'vidvar-process-'));
}

export interface OutputRow {
  id: string;
  jobId: string;
  sourceId: string;
  status: string;
  attempts: number;
}

export interface DatabaseRows {
  jobs: Array<{ id: string; status: string }>;
  sources: Array<{ id: string; jobId: string; deleted: number }>;
  outputs: OutputRow[];
  uploads: Array<{ id: string }>;
}

/** The rows as the server left them; read-only, for use after the server exited. */
export function readDatabase(dataDir: string): DatabaseRows {
  const db = new DatabaseSync(path.join(dataDir, 'vidvar.db'), { readOnly: true });
  try {
    return {
      jobs: db.prepare('SELECT id, status FROM jobs ORDER BY created_at').all() as DatabaseRows['jobs'],
      sources: db
        .prepare('SELECT id, job_id AS jobId, deleted FROM sources ORDER BY position')
        .all() as DatabaseRows['sources'],
      outputs: db
        .prepare(
          `SELECT o.id, o.job_id AS jobId, o.source_id AS sourceId, o.status, o.attempts
           FROM outputs o JOIN sources s ON s.id = o.source_id ORDER BY s.position, o.idx`,
        )
        .all() as unknown as OutputRow[],
      uploads: db.prepare('SELECT id FROM uploads').all() as DatabaseRows['uploads'],
    };
  } finally {
    db.close();
  }
}

/** Files (not folders) under dir, relative to it; [] when dir does not exist. */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (!statSync(full).isDirectory()) return [name];
    return filesUnder(full).map((inner) => path.join(name, inner));
  });
}
