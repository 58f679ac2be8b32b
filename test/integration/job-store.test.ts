import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../../src/jobs/db.js';
import { MIGRATIONS } from '../../src/jobs/migrations.js';
import { readPragma } from '../../src/jobs/pragma.js';
import { SessionStore } from '../../src/jobs/session-store.js';
import { SqliteJobStore } from '../../src/jobs/sqlite-job-store.js';
import { transaction } from '../../src/jobs/transaction.js';
import type { SyncJobStore } from '../../src/jobs/types.js';
import { newId, storeTestJob, storeTestMedia } from '../support/job-spec.js';

const media = storeTestMedia;
const newJob = storeTestJob;

let dir: string;
let file: string;
let db: Db;
let store: SyncJobStore;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vidvar-store-'));
  file = path.join(dir, 'vidvar.db');
  db = openDatabase(file);
  store = new SqliteJobStore(db);
});

afterEach(() => {
  if (db.isOpen) db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('job store', () => {
  it('opens in WAL mode with foreign keys and records the schema version once', () => {
    expect(readPragma(db, 'journal_mode')).toBe('wal');
    expect(readPragma(db, 'foreign_keys')).toBe(1);
    expect(readPragma(db, 'busy_timeout')).toBe(5000);
    expect(readPragma(db, 'user_version')).toBe(MIGRATIONS.length);
    const job = store.createJob(newJob(1000));
    db.close();
    const again = openDatabase(file);
    expect(readPragma(again, 'user_version')).toBe(MIGRATIONS.length);
    expect(new SqliteJobStore(again).getJob(job.id)).toEqual(job);
    again.close();
  });

  it('commits a transaction whole or not at all', () => {
    const upload = { id: newId('src'), name: 'ad.mp4', sizeBytes: 200_000, media, createdAt: 900 };
    expect(() =>
      transaction(db, () => {
        store.addUpload(upload);
        throw new Error('cut short');
      }),
    ).toThrow('cut short');
    expect(db.isTransaction).toBe(false);
    expect(store.getUpload(upload.id)).toBeNull();
    expect(transaction(db, () => store.addUpload(upload))).toBeUndefined();
    expect(store.getUpload(upload.id)).toEqual(upload);
  });

  it('serves 20 concurrent readers while the worker writes progress, without SQLITE_BUSY', async () => {
    const job = store.createJob(newJob(1000, 4));
    store.claimNextJob(1001);
    // Each reader is a thread with its own connection and no busy wait at all: only WAL lets its reads
    // run alongside the writes instead of failing with SQLITE_BUSY.
    const reader = `
      const { parentPort, workerData } = require('node:worker_threads');
      const { DatabaseSync } = require('node:sqlite');
      const db = new DatabaseSync(workerData.file, { readOnly: true, timeout: 0 });
      const job = db.prepare('SELECT * FROM jobs WHERE id = ?');
      const outputs = db.prepare('SELECT * FROM outputs WHERE job_id = ? ORDER BY idx');
      let reads = 0, errors = [], stopped = false;
      parentPort.on('message', () => {
        stopped = true;
        db.close();
        parentPort.postMessage({ reads, errors });
      });
      (function loop() {
        if (stopped) return;
        for (let i = 0; i < 20; i++) {
          try {
            job.get(workerData.id);
            outputs.all(workerData.id);
            reads++;
          } catch (e) { errors.push(String(e.code || e.message)); }
        }
        if (reads === 20) parentPort.postMessage('reading');
        setImmediate(loop);
      })();
    `;
    const readers = Array.from(
      { length: 20 },
      () => new Worker(reader, { eval: true, workerData: { file, id: job.id } }),
    );
    // Write only once every reader is reading, so reads and writes really overlap.
    await Promise.all(
      readers.map(
        (w) =>
          new Promise((resolve, reject) => {
            w.once('message', resolve);
            w.once('error', reject);
          }),
      ),
    );
    const ids = job.outputs.map((o) => o.id);
    for (let step = 1; step <= 400; step++) {
      store.setOutputProgress(ids[step % 4] as string, step / 400);
      store.setJobProgress(job.id, step / 400, 1001 + step);
      if (step % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const results = await Promise.all(
      readers.map(
        (w) =>
          new Promise<{ reads: number; errors: string[] }>((resolve, reject) => {
            w.once('message', resolve);
            w.once('error', reject);
            w.postMessage('stop');
          }),
      ),
    );
    await Promise.all(readers.map((w) => w.terminate()));
    expect(results.flatMap((r) => r.errors)).toEqual([]);
    expect(results.every((r) => r.reads > 0)).toBe(true);
    expect(store.getJob(job.id)?.progress).toBe(1);
  });
});

describe('sessions', () => {
  it('creates unguessable sessions that expire and can be deleted', () => {
    const sessions = new SessionStore(db);
    const a = sessions.createSession(1000, 60_000);
    const b = sessions.createSession(1000, 1_000);
    expect(Buffer.from(a.id, 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(a.id).not.toBe(b.id);
    expect(sessions.getSession(a.id, 2000)).toEqual({ id: a.id, createdAt: 1000, expiresAt: 61_000 });
    expect(sessions.getSession(b.id, 2000)).toBeNull();
    expect(sessions.getSession('not-a-session', 2000)).toBeNull();
    expect(sessions.deleteExpiredSessions(2000)).toBe(1);
    sessions.deleteSession(a.id);
    expect(sessions.getSession(a.id, 2000)).toBeNull();
  });

  it('does not keep the session secret itself in the database file', () => {
    const sessions = new SessionStore(db);
    const { id: secret } = sessions.createSession(1000, 60_000);
    db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    expect(readFileSync(file).includes(Buffer.from(secret))).toBe(false);
  });

  it('keys the stored hashes with SESSION_SECRET: another key knows none of the sessions', () => {
    const keyed = new SessionStore(db, 'k'.repeat(32));
    const { id } = keyed.createSession(1000, 60_000);
    expect(keyed.getSession(id, 2000)?.id).toBe(id);
    expect(new SessionStore(db).getSession(id, 2000)).toBeNull();
    expect(new SessionStore(db, 'x'.repeat(32)).getSession(id, 2000)).toBeNull();
  });
});
