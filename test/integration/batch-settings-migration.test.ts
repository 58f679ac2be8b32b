import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/jobs/db.js';
import { MIGRATIONS } from '../../src/jobs/migrations.js';
import { SqliteJobStore } from '../../src/jobs/sqlite-job-store.js';

/**
 * The batch_settings migration on a database from before it: a batch stored then has no name and
 * was planned with every effect and no protection, which is what it must say (its redraws plan by it).
 */
const dir = mkdtempSync(path.join(os.tmpdir(), 'vidvar-migrate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('batch_settings', () => {
  it('reads an older batch as unnamed, nothing excluded, text not protected; new ones keep their choice', () => {
    const file = path.join(dir, 'old.db');
    const old = new DatabaseSync(file);
    MIGRATIONS.slice(0, -1).forEach((step, version) => {
      old.exec(step);
      old.exec(`PRAGMA user_version = ${version + 1}`);
    });
    old.exec(`INSERT INTO jobs (id, status, count, intensity, seed, created_at, updated_at, expires_at)
      VALUES ('oldjob', 'done', 2, 'medium', 's', 1, 1, 9)`);
    old.close();

    const db = openDatabase(file);
    const store = new SqliteJobStore(db);
    expect(store.getJob('oldjob')).toMatchObject({ name: '', exclude: [], protectText: false });
    store.createJob({
      id: 'newjob',
      count: 1,
      intensity: 'subtle',
      seed: 's',
      name: 'Spring launch',
      exclude: ['mirror', 'audio'],
      protectText: true,
      createdAt: 2,
      expiresAt: 9,
      sources: [],
      outputs: [],
    });
    expect(store.getJob('newjob')).toMatchObject({
      name: 'Spring launch',
      exclude: ['mirror', 'audio'],
      protectText: true,
    });
    expect(store.listJobs(10, 'spring').map((j) => j.id)).toEqual(['newjob']);
    expect(store.listJobs(10, '%').map((j) => j.id)).toEqual([]);
    db.close();
  });
});
