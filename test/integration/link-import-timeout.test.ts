import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { displayName } from '../../src/http/display-name.js';
import { importFromLink, type LinkImportDeps } from '../../src/jobs/link-import.js';
import { createUploadService } from '../../src/jobs/upload-service.js';
import { engineOptions } from '../../src/media/options.js';
import { createFileAudit } from '../../src/storage/file-audit.js';
import { startTestServer } from '../support/server.js';

/**
 * The import's time limit, which the server sets at 10 minutes, shortened here: a link whose server
 * sends its headers and then stalls, and one that never answers at all. Real files, real budget.
 */
const files = createServer((req, res) => {
  if (req.url === '/stalls.mp4') {
    // Headers and a first piece, then nothing: the length promises far more than ever comes.
    res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': 1_000_000 });
    res.write(Buffer.alloc(64 * 1024));
  }
  // Any other path: the request is taken and never answered.
});
await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;

const server = await startTestServer({ work: false });
afterAll(async () => {
  files.closeAllConnections();
  await new Promise<void>((resolve) => files.close(() => resolve()));
  await server.close();
});

const logger = pino({ level: 'silent' });
const audit = createFileAudit(server.layout, logger);
const engine = engineOptions({ threads: 1, preset: 'ultrafast', tmpDir: server.layout.work });
const deps: LinkImportDeps = {
  uploads: createUploadService({
    store: server.store,
    files: server.files,
    layout: server.layout,
    engine,
    audit,
    now: Date.now,
    logger,
  }),
  layout: server.layout,
  audit,
  budget: server.budget,
  maxBytes: 10 * 1024 * 1024,
  allowPrivate: true,
  displayName: (raw) => displayName(raw),
  logger,
  timeoutMs: 500,
};

/** The refusal the import throws, and that it left no file and no promised space behind. */
async function refusal(url: string): Promise<UserError> {
  const filesBefore = server.dataFiles();
  await server.budget.refresh();
  const reservedBefore = server.budget.reservedBytes();
  const error = await importFromLink(deps, new URL(url)).then(
    () => null,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(UserError);
  expect(server.dataFiles()).toEqual(filesBefore);
  await server.budget.refresh();
  expect(server.budget.reservedBytes()).toBe(reservedBefore);
  return error as UserError;
}

describe('import from a link, out of time', () => {
  it('refuses a download that stalls after its headers with 504, leaving nothing', async () => {
    const error = await refusal(`${base}/stalls.mp4`);
    expect(error).toMatchObject({ code: 'link_timeout', status: 504 });
    expect(error.message).toBe('That link took too long to download.');
  });

  it('refuses a link whose server never answers with 504, leaving nothing', async () => {
    const error = await refusal(`${base}/silent.mp4`);
    expect(error).toMatchObject({ code: 'link_timeout', status: 504 });
    expect(error.message).toBe('That link took too long to answer.');
  });
});
