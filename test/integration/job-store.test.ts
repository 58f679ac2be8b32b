import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { type Db, openDatabase } from '../../src/jobs/db.js';
import { MIGRATIONS } from '../../src/jobs/migrations.js';
import { readPragma } from '../../src/jobs/pragma.js';
import { SessionStore } from '../../src/jobs/session-store.js';
import { SqliteJobStore } from '../../src/jobs/sqlite-job-store.js';
import { transaction } from '../../src/jobs/transaction.js';
import type { SyncJobStore } from '../../src/jobs/types.js';
import { distinctRecord } from '../support/distinctness.js';
import { fakeMedia } from '../support/fake-media.js';
import { fakePlan, jobSpec, newId } from '../support/job-spec.js';

const media = fakeMedia({ width: 320, height: 568, durationSec: 2, sizeBytes: 200_000, bitRate: 800_000 });

const newJob = (createdAt: number, outputs = 2, expiresAt?: number) =>
  jobSpec({ createdAt, count: outputs, expiresAt, media, seed: 'seed-1' });

const rendered = {
  sizeBytes: 1000,
  durationSec: 2,
  width: 320,
  height: 568,
  distinctness: distinctRecord(0.2),
};

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

  it('keeps a job with its sources, planned outputs and results', () => {
    const spec = newJob(1000, 3);
    const job = store.createJob(spec);
    expect(job).toMatchObject({ id: spec.id, status: 'queued', progress: 0, count: 3, seed: 'seed-1' });
    expect(job.sources).toEqual([
      {
        id: spec.sources[0]?.id,
        jobId: spec.id,
        position: 0,
        name: 'ad.mp4',
        sizeBytes: 200_000,
        media,
        deleted: false,
      },
    ]);
    expect(job.outputs.map((o) => [o.index, o.status, o.attempts, o.plan])).toEqual([
      [1, 'queued', 0, fakePlan(1)],
      [2, 'queued', 0, fakePlan(2)],
      [3, 'queued', 0, fakePlan(3)],
    ]);

    const first = job.outputs[0]?.id as string;
    store.setOutputRunning(first, 1100);
    store.completeOutput(first, rendered);
    store.failOutput(job.outputs[1]?.id as string, 'FFmpeg could not render this variation.');
    const after = store.getJob(job.id);
    expect(after?.outputs[0]).toMatchObject({ status: 'done', attempts: 1, progress: 1, ...rendered });
    expect(after?.outputs[1]).toMatchObject({
      status: 'failed',
      error: 'FFmpeg could not render this variation.',
    });
    // An output vPDQ sent back to be planned again is stored with the plan that was delivered.
    const third = job.outputs[2]?.id as string;
    const redrawn = { ...fakePlan(3), signature: 'redrawn' };
    store.completeOutput(third, { ...rendered, plan: redrawn });
    expect(store.getJob(job.id)?.outputs[2]?.plan).toEqual(redrawn);

    const newer = store.createJob(newJob(2000));
    expect(store.listJobs().map((j) => j.id)).toEqual([newer.id, job.id]);
    expect(store.listJobs(1).map((j) => j.id)).toEqual([newer.id]);
    expect(store.countByStatus()).toMatchObject({ queued: 2, running: 0, done: 0 });
    expect(store.getJob('job_doesnotexist0000')).toBeNull();
  });

  it('hands an admitted upload over to the job that uses it', () => {
    const spec = newJob(1000);
    const upload = {
      id: spec.sources[0]?.id as string,
      name: 'ad.mp4',
      sizeBytes: 200_000,
      media,
      createdAt: 900,
    };
    store.addUpload(upload);
    store.addUpload({ ...upload, id: newId('src') });
    expect(store.getUpload(upload.id)).toEqual(upload);
    store.createJob(spec);
    expect(store.getUpload(upload.id)).toBeNull();
    expect(store.listUploads()).toHaveLength(1);
  });

  it('gives each queued job to exactly one of two connections, oldest first', () => {
    const other = openDatabase(file);
    const second = new SqliteJobStore(other);
    const older = store.createJob(newJob(1000));
    const newer = store.createJob(newJob(2000));
    const claims = [second.claimNextJob(3000), store.claimNextJob(3000), second.claimNextJob(3000)];
    other.close();
    expect(claims.map((c) => c?.id ?? null)).toEqual([older.id, newer.id, null]);
    expect(claims[0]).toMatchObject({ status: 'running', startedAt: 3000 });
    expect(store.countByStatus()).toMatchObject({ queued: 0, running: 2 });
  });

  it('retries only the outputs that did not finish', () => {
    const job = store.createJob(newJob(1000, 3));
    const [done, failed] = job.outputs.map((o) => o.id) as [string, string, string];
    store.claimNextJob(1100);
    store.setOutputRunning(done, 1100);
    store.completeOutput(done, rendered);
    store.setOutputRunning(failed, 1200);
    store.failOutput(failed, 'broken');
    store.setJobStatus(job.id, 'failed', 1300, '2 of 3 variations failed.');
    expect(store.getJob(job.id)).toMatchObject({ status: 'failed', finishedAt: 1300 });

    const retried = store.retryJob(job.id, 2000);
    expect(retried).toMatchObject({ status: 'queued', error: null, finishedAt: null });
    expect(retried?.progress).toBeCloseTo(1 / 3);
    expect(retried?.outputs.map((o) => [o.status, o.attempts, o.error])).toEqual([
      ['done', 1, null],
      ['queued', 1, null],
      ['queued', 0, null],
    ]);
    expect(() => store.retryJob(job.id, 2100)).toThrow(UserError);
    expect(store.retryJob('job_doesnotexist0000', 2100)).toBeNull();
  });

  it('puts work cut short by a crash back in the queue, keeping finished outputs', () => {
    const running = store.createJob(newJob(1000));
    const interrupted = store.createJob(newJob(1001));
    const finished = store.createJob(newJob(1002, 1));
    store.claimNextJob(1100);
    const [kept, cut] = running.outputs.map((o) => o.id) as [string, string];
    store.setOutputRunning(kept, 1100);
    store.completeOutput(kept, rendered);
    store.setOutputRunning(cut, 1200);
    store.setJobStatus(interrupted.id, 'interrupted', 1200);
    store.setJobStatus(finished.id, 'done', 1200);

    expect(store.requeueUnfinished(5000).sort()).toEqual([running.id, interrupted.id].sort());
    const after = store.getJob(running.id);
    expect(after?.status).toBe('queued');
    expect(after?.outputs.map((o) => o.status)).toEqual(['done', 'queued']);
    expect(after?.progress).toBeCloseTo(0.5);
    expect(store.getJob(interrupted.id)?.status).toBe('queued');
    expect(store.getJob(finished.id)?.status).toBe('done');
  });

  it('cancels the unfinished outputs of a job and keeps the finished ones', () => {
    const job = store.createJob(newJob(1000));
    store.completeOutput(job.outputs[0]?.id as string, rendered);
    store.cancelJob(job.id, 1500);
    const after = store.getJob(job.id);
    expect(after).toMatchObject({ status: 'canceled', finishedAt: 1500 });
    expect(after?.outputs.map((o) => o.status)).toEqual(['done', 'canceled']);
  });

  it('deletes a job together with its sources and outputs', () => {
    const job = store.createJob(newJob(1000));
    const keep = store.createJob(newJob(1001));
    store.deleteJob(job.id);
    expect(store.getJob(job.id)).toBeNull();
    const count = (table: string) =>
      (db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE job_id = ?`).get(job.id) as { n: number }).n;
    expect([count('sources'), count('outputs')]).toEqual([0, 0]);
    expect(store.getJob(keep.id)?.outputs).toHaveLength(2);
  });

  it('lists only finished jobs for expiry, and finished jobs oldest-finished first', () => {
    const a = store.createJob(newJob(1000, 1, 5000));
    const b = store.createJob(newJob(1001, 1, 5000));
    const queued = store.createJob(newJob(1002, 1, 5000));
    const later = store.createJob(newJob(1003, 1, 9000));
    store.setJobStatus(a.id, 'done', 3000);
    store.setJobStatus(b.id, 'failed', 2000);
    store.setJobStatus(later.id, 'canceled', 2500);
    // The queued job is past its expiry too, but work that has not run is never expired.
    expect(
      store
        .listExpired(6000)
        .map((j) => j.id)
        .sort(),
    ).toEqual([a.id, b.id].sort());
    expect(store.getJob(queued.id)?.status).toBe('queued');
    expect(store.listFinishedOldestFirst().map((j) => j.id)).toEqual([b.id, later.id, a.id]);
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
