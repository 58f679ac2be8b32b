import type { DatabaseSync } from 'node:sqlite';
import { readPragma } from './pragma.js';
import { transaction } from './transaction.js';

/**
 * Schema versions, applied in order. `PRAGMA user_version` records how many ran, so a database
 * from an older release is brought forward at start-up. Append only: never edit a shipped step.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE uploads (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    size_bytes  INTEGER NOT NULL,
    media       TEXT NOT NULL,
    created_at  INTEGER NOT NULL
  );

  CREATE TABLE jobs (
    id           TEXT PRIMARY KEY,
    status       TEXT NOT NULL
                 CHECK (status IN ('queued', 'running', 'done', 'failed', 'canceled', 'interrupted')),
    progress     REAL NOT NULL DEFAULT 0,
    count        INTEGER NOT NULL,
    intensity    TEXT NOT NULL,
    seed         TEXT NOT NULL,
    error        TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    started_at   INTEGER,
    finished_at  INTEGER
  );
  CREATE INDEX jobs_by_status ON jobs (status, created_at);
  CREATE INDEX jobs_by_expiry ON jobs (expires_at);

  CREATE TABLE sources (
    id          TEXT PRIMARY KEY,
    job_id      TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    name        TEXT NOT NULL,
    size_bytes  INTEGER NOT NULL,
    media       TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX sources_by_job ON sources (job_id, position);

  CREATE TABLE outputs (
    id            TEXT PRIMARY KEY,
    job_id        TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    source_id     TEXT NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    idx           INTEGER NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'canceled')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    progress      REAL NOT NULL DEFAULT 0,
    plan          TEXT NOT NULL,
    error         TEXT,
    size_bytes    INTEGER,
    duration_sec  REAL,
    width         INTEGER,
    height        INTEGER,
    distinctness  TEXT
  );
  CREATE INDEX outputs_by_job ON outputs (job_id, source_id, idx);
  CREATE INDEX outputs_by_source ON outputs (source_id);

  CREATE TABLE sessions (
    id_hash     TEXT PRIMARY KEY,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
  );
  CREATE INDEX sessions_by_expiry ON sessions (expires_at);
  `,
  `
  CREATE TABLE api_tokens (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER,
    revoked_at    INTEGER
  );
  `,
  // The FFmpeg build that first rendered the job: the same plan gives the same bytes only with it.
  `
  ALTER TABLE jobs ADD COLUMN ffmpeg TEXT;
  `,
  // Webhooks: where a job reports its end, and every event with its attempts. Deliveries name their job
  // without a foreign key: a canceled job's row is deleted while its event still has to go out.
  `
  CREATE TABLE job_webhooks (
    job_id    TEXT PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    url       TEXT NOT NULL,
    metadata  TEXT,
    base_url  TEXT NOT NULL
  );
  CREATE TABLE webhook_deliveries (
    id               TEXT PRIMARY KEY,
    job_id           TEXT NOT NULL,
    event_key        TEXT NOT NULL,
    url              TEXT NOT NULL,
    body             TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    created_at       INTEGER NOT NULL,
    next_attempt_at  INTEGER,
    UNIQUE (job_id, event_key)
  );
  CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
  CREATE TABLE webhook_attempts (
    delivery_id  TEXT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    at           INTEGER NOT NULL,
    status_code  INTEGER,
    error        TEXT
  );
  CREATE INDEX webhook_attempts_by_delivery ON webhook_attempts (delivery_id, at);
  `,
  // Idempotency keys: the first answer to a request, replayed to its retries for 24 h.
  `
  CREATE TABLE idempotency_keys (
    scope        TEXT NOT NULL,
    route        TEXT NOT NULL,
    key          TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('pending', 'done')),
    status       INTEGER,
    headers      TEXT,
    body         TEXT,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (scope, route, key)
  );
  CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
  `,
  // batch_settings: a batch's name and its effect choice. Older batches were planned with every
  // effect and no protection, so they keep exactly that (their redraws must plan as they did).
  `
  ALTER TABLE jobs ADD COLUMN name TEXT NOT NULL DEFAULT '';
  ALTER TABLE jobs ADD COLUMN exclude TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE jobs ADD COLUMN protect_text INTEGER NOT NULL DEFAULT 0;
  `,
  // placements: a job's placements, fill, platform and loudness (JSON, null = the source's shape as
  // always); each output's placement, and its measured loudness and platform checks (JSON).
  `
  ALTER TABLE jobs ADD COLUMN placement TEXT;
  ALTER TABLE outputs ADD COLUMN format TEXT NOT NULL DEFAULT 'source';
  ALTER TABLE outputs ADD COLUMN placement TEXT;
  `,
];

/** Runs the steps this database has not seen yet, each in its own transaction with its version bump. */
export function migrate(db: DatabaseSync): number {
  const current = readPragma(db, 'user_version') as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`database schema version ${current} is newer than this release (${MIGRATIONS.length})`);
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    const step = MIGRATIONS[version] as string;
    transaction(db, () => {
      db.exec(step);
      db.exec(`PRAGMA user_version = ${version + 1}`);
    });
  }
  return MIGRATIONS.length;
}
