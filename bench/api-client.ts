import { openAsBlob } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobView } from '../src/http/schemas.js';
import { jobEvents } from '../test/support/job-event-stream.js';

/**
 * The HTTP API as a script uses it, with Node's own fetch. Files are sent from file-backed Blobs, so
 * the bench streams 200 MB uploads without holding them in memory either.
 */

const TERMINAL = new Set(['done', 'failed', 'canceled', 'interrupted']);
const TUS_CHUNK_BYTES = 16 * 1024 * 1024;

async function expectOk(response: Response, what: string): Promise<Response> {
  if (response.ok) return response;
  const body = await response.text().catch(() => '');
  throw new Error(`${what}: HTTP ${response.status} ${body.slice(0, 300)}`);
}

export class ApiClient {
  private constructor(
    readonly baseUrl: string,
    private readonly cookie: string,
  ) {}

  static async signIn(baseUrl: string, password: string): Promise<ApiClient> {
    const response = await expectOk(
      await fetch(`${baseUrl}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ password }),
      }),
      'sign in',
    );
    const session = response.headers.getSetCookie().find((c) => c.startsWith('vidvar_session='));
    if (!session) throw new Error('sign in: no vidvar_session cookie in the answer');
    return new ApiClient(baseUrl, session.split(';')[0] as string);
  }

  private request(pathname: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('cookie', this.cookie);
    return fetch(new URL(pathname, this.baseUrl), { ...init, headers });
  }

  /** POST /api/jobs as multipart/form-data: fields first, then every file in field `files`. */
  async createJob(
    files: string[],
    fields: { count: number; intensity: string; seed: string },
  ): Promise<JobView> {
    const form = new FormData();
    form.append('count', String(fields.count));
    form.append('intensity', fields.intensity);
    form.append('seed', fields.seed);
    for (const file of files)
      form.append('files', await openAsBlob(file, { type: 'video/mp4' }), path.basename(file));
    const response = await this.request('/api/jobs', { method: 'POST', body: form });
    return (await (await expectOk(response, 'create job')).json()) as JobView;
  }

  async getJob(id: string): Promise<JobView> {
    return (await (await expectOk(await this.request(`/api/jobs/${id}`), 'get job')).json()) as JobView;
  }

  /**
   * Follows the job's event stream (as the browser does) until `until` holds or the job ends. The
   * server sends the whole JobView on connect and on every change, so nothing is missed.
   */
  async waitForJob(
    id: string,
    until: (job: JobView) => boolean = (j) => TERMINAL.has(j.status),
  ): Promise<JobView> {
    const abort = new AbortController();
    const response = await expectOk(
      await this.request(`/api/jobs/${id}/events`, { signal: abort.signal }),
      'job events',
    );
    let last: JobView | null = null;
    try {
      for await (const job of jobEvents(response.body as AsyncIterable<Uint8Array>)) {
        last = job;
        if (until(job) || TERMINAL.has(job.status)) return job;
      }
    } finally {
      abort.abort();
    }
    // The stream ended without the state asked for (the job was deleted): its last word stands.
    if (last) return last;
    throw new Error(`job ${id}: the event stream ended without a state`);
  }

  async deleteJob(id: string): Promise<void> {
    await expectOk(await this.request(`/api/jobs/${id}`, { method: 'DELETE' }), 'delete job');
  }

  /** Reads the whole ZIP and returns its size; pauseMsPerChunk makes a slow client (backpressure). */
  async downloadZip(id: string, pauseMsPerChunk = 0): Promise<number> {
    const response = await expectOk(await this.request(`/api/jobs/${id}/download`), 'download');
    let bytes = 0;
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      bytes += chunk.byteLength;
      if (pauseMsPerChunk > 0) await sleep(pauseMsPerChunk);
    }
    return bytes;
  }

  /** A tus 1.0 upload in 16 MB PATCH chunks, like the browser; returns the upload id. */
  async tusUpload(file: string): Promise<string> {
    const blob = await openAsBlob(file);
    const name = Buffer.from(path.basename(file)).toString('base64');
    const created = await expectOk(
      await this.request('/api/uploads', {
        method: 'POST',
        headers: {
          'tus-resumable': '1.0.0',
          'upload-length': String(blob.size),
          'upload-metadata': `filename ${name}`,
        },
      }),
      'tus create',
    );
    const location = new URL(created.headers.get('location') ?? '', this.baseUrl);
    for (let offset = 0; offset < blob.size; offset += TUS_CHUNK_BYTES) {
      const chunk = blob.slice(offset, Math.min(blob.size, offset + TUS_CHUNK_BYTES));
      const patched = await this.request(location.pathname, {
        method: 'PATCH',
        headers: {
          'tus-resumable': '1.0.0',
          'upload-offset': String(offset),
          'content-type': 'application/offset+octet-stream',
        },
        body: chunk,
      });
      await expectOk(patched, 'tus patch');
    }
    return location.pathname.split('/').pop() as string;
  }
}
