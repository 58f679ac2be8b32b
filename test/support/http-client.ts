import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { JobView } from '../../src/http/schemas.js';

/** Small client-side helpers for the HTTP integration tests. */

/** What answers the API with a session: the in-process test server or the server as a child process. */
export interface SignedInApi {
  api(pathname: string, init?: RequestInit): Promise<Response>;
}

/** POST /api/session; the session cookie (`name=value`) when the password was right, else null. */
export async function postSession(
  url: string,
  password: string,
): Promise<{ res: Response; cookie: string | null }> {
  const res = await fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ password }),
  });
  return { res, cookie: res.status === 204 ? sessionCookieOf(res) : null };
}

/** A new API token made by a signed-in session (POST /api/tokens); throws unless it was created. */
export async function createApiToken(api: SignedInApi, name: string): Promise<{ id: string; token: string }> {
  const res = await api.api('/api/tokens', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  if (res.status !== 201) throw new Error(`POST /api/tokens answered ${res.status}`);
  return (await res.json()) as { id: string; token: string };
}

/** `vidvar_session=…` from an answer's Set-Cookie headers (the device cookie may come too). */
export function sessionCookieOf(res: Response): string | null {
  const line = res.headers.getSetCookie().find((c) => c.startsWith('vidvar_session='));
  return line ? (line.split(';')[0] as string) : null;
}

export function videoForm(
  files: Array<{ path: string; name: string }>,
  fields: Record<string, string>,
): FormData {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  for (const file of files) form.append('files', new Blob([readFileSync(file.path)]), file.name);
  return form;
}

export async function createJobFromFiles(
  server: SignedInApi,
  files: Array<{ path: string; name: string }>,
  fields: Record<string, string>,
): Promise<Response> {
  return server.api('/api/jobs', { method: 'POST', body: videoForm(files, fields) });
}

/** POST /api/jobs for sources already uploaded: one subtle variation of each. */
export function createJobFromUploads(
  server: SignedInApi,
  uploads: string[],
  headers: Record<string, string> = {},
): Promise<Response> {
  return server.api('/api/jobs', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ uploads, count: 1, intensity: 'subtle' }),
  });
}

/** The Upload-Metadata header a tus client sends for a file name. */
export const tusFilenameMetadata = (filename: string) =>
  `filename ${Buffer.from(filename).toString('base64')}`;

/** A whole upload in two raw tus requests: create, then one PATCH with every byte. */
export async function tusUpload(
  target: SignedInApi,
  bytes: Buffer,
  filename: string,
): Promise<{ create: Response; patch?: Response }> {
  const create = await target.api('/api/uploads', {
    method: 'POST',
    headers: {
      'tus-resumable': '1.0.0',
      'upload-length': String(bytes.length),
      'upload-metadata': tusFilenameMetadata(filename),
    },
  });
  if (create.status !== 201) return { create };
  const location = create.headers.get('location') as string;
  const patch = await target.api(location, {
    method: 'PATCH',
    headers: {
      'tus-resumable': '1.0.0',
      'upload-offset': '0',
      'content-type': 'application/offset+octet-stream',
    },
    body: new Uint8Array(bytes),
  });
  return { create, patch };
}

const TERMINAL = new Set(['done', 'failed', 'canceled']);

/** Polls GET /api/jobs/:id until `until` holds (by default: a terminal state). */
export async function waitForJob(
  server: SignedInApi,
  jobId: string,
  until: (job: JobView) => boolean = (job) => TERMINAL.has(job.status),
  timeoutMs = 90_000,
): Promise<JobView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await server.api(`/api/jobs/${jobId}`);
    if (res.status !== 200) throw new Error(`GET job answered ${res.status}`);
    const job = (await res.json()) as JobView;
    if (until(job)) return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${job.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Files this process holds open under a folder. */
export function openFilesUnder(dir: string): string[] {
  const open: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(dir)) open.push(target);
    } catch {
      // Closed while we looked.
    }
  }
  return open;
}

export function probeVideo(file: string): { codec: string; width: number; height: number; duration: number } {
  const out = execFileSync(
    'ffprobe',
    [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=codec_name,width,height:format=duration',
      '-of',
      'json',
      file,
    ],
    { encoding: 'utf8' },
  );
  const parsed = JSON.parse(out) as {
    streams: Array<{ codec_name: string; width: number; height: number }>;
    format: { duration: string };
  };
  const stream = parsed.streams[0];
  if (!stream) throw new Error(`no video stream in ${file}`);
  return {
    codec: stream.codec_name,
    width: stream.width,
    height: stream.height,
    duration: Number(parsed.format.duration),
  };
}
