import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  type CreateJobBody,
  errorSchema,
  type JobView,
  jobViewSchema,
  type UploadInfo,
  uploadInfoSchema,
} from '../http/schemas.js';
import { type ClientRoute, CLIENT_ROUTES as ROUTES, routePath } from './api-routes.js';
import { followJob } from './job-stream.js';
import { type UploadSource, uploadBody } from './upload-source.js';

/**
 * A small typed client for vidvar's HTTP API, over fetch, with an API token. Every answer is checked
 * against the server's own zod schemas, so a client and a server that disagree fail loudly here.
 */
export class VidvarApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'VidvarApiError';
  }
}

export interface VidvarClientOptions {
  /** The server's address, e.g. https://ads.example.com */
  server: string;
  /** An API token (`vv_…`, made on the Settings screen or with POST /api/tokens). */
  token: string;
}

export interface CreateJobOptions {
  /**
   * Videos uploaded first (tus, one PATCH each): paths of local files, or bytes in memory with a name
   * (`{ name: 'ad.mp4', data: buffer }`).
   */
  files?: UploadSource[];
  /** Links the server fetches (direct, Google Drive or Dropbox). */
  urls?: string[];
  /** Uploads already admitted. */
  uploads?: string[];
  count: number;
  intensity: CreateJobBody['intensity'];
  seed?: string;
  webhookUrl?: string;
  metadata?: Record<string, unknown>;
  name?: string;
  exclude?: string[];
  protectText?: boolean;
  /** Sent as Idempotency-Key: a retry with it gets the same batch. */
  idempotencyKey?: string;
  /** Placements, fill, platform and loudness, as the API takes them (checked by the server). */
  placement?: Pick<CreateJobBody, 'formats' | 'fit' | 'padColour' | 'platform' | 'loudness'>;
}

export class VidvarClient {
  readonly #server: string;
  readonly #token: string;

  constructor(options: VidvarClientOptions) {
    this.#server = options.server.replace(/\/+$/, '');
    this.#token = options.token;
  }

  /**
   * Uploads one video with tus (create, then one PATCH streaming the bytes) and returns it admitted: a
   * file's path, or bytes in memory with a name.
   */
  async uploadFile(file: UploadSource): Promise<UploadInfo> {
    const { name, size, body } = await uploadBody(file);
    const created = await this.#fetch(routePath(ROUTES.createUpload), {
      method: ROUTES.createUpload[0],
      headers: {
        'tus-resumable': '1.0.0',
        'upload-length': String(size),
        'upload-metadata': `filename ${Buffer.from(name).toString('base64')}`,
      },
    });
    // tus names the new upload in Location; its last part is the id the other routes take.
    const id = decodeURIComponent((created.headers.get('location') ?? '').split('/').pop() ?? '');
    await this.#fetch(routePath(ROUTES.sendUpload, { id }), {
      method: ROUTES.sendUpload[0],
      headers: {
        'tus-resumable': '1.0.0',
        'upload-offset': '0',
        'content-type': 'application/offset+octet-stream',
        'content-length': String(size),
      },
      body,
      duplex: 'half',
    } as RequestInit);
    const info = await this.#fetch(routePath(ROUTES.uploadInfo, { id }));
    return uploadInfoSchema.parse(await info.json());
  }

  /** Has the server fetch a video from a link, admitted like an upload. */
  async importUrl(url: string): Promise<UploadInfo> {
    const res = await this.#json(ROUTES.importUrl, { url });
    return uploadInfoSchema.parse(await res.json());
  }

  /** Uploads the files, imports the links, then creates the batch from all of them. */
  async createJob(options: CreateJobOptions): Promise<JobView> {
    const uploads = [...(options.uploads ?? [])];
    for (const file of options.files ?? []) uploads.push((await this.uploadFile(file)).id);
    for (const url of options.urls ?? []) uploads.push((await this.importUrl(url)).id);
    const body: CreateJobBody = {
      uploads,
      count: options.count,
      intensity: options.intensity,
      ...(options.seed ? { seed: options.seed } : {}),
      ...(options.webhookUrl ? { webhookUrl: options.webhookUrl } : {}),
      ...(options.metadata ? { metadata: options.metadata } : {}),
      ...(options.name ? { name: options.name } : {}),
      ...(options.exclude ? { exclude: options.exclude } : {}),
      ...(options.protectText === undefined ? {} : { protectText: options.protectText }),
      ...options.placement,
    };
    const headers: Record<string, string> = options.idempotencyKey
      ? { 'idempotency-key': options.idempotencyKey }
      : {};
    return jobViewSchema.parse(await (await this.#json(ROUTES.createJob, body, headers)).json());
  }

  async getJob(id: string): Promise<JobView> {
    return jobViewSchema.parse(await (await this.#fetch(routePath(ROUTES.getJob, { id }))).json());
  }

  /** Follows the job's live events until it is done, failed or canceled. */
  waitForJob(id: string, onUpdate: (job: JobView) => void = () => undefined): Promise<JobView> {
    const events = routePath(ROUTES.jobEvents, { id });
    return followJob(() => fetch(`${this.#server}${events}`, { headers: this.#auth() }), onUpdate);
  }

  /**
   * Writes every finished output as `vidvar make` does: `<out>/<source>/<source>-v01.mp4 …` and
   * `<out>/manifest.json`. Returns the files written, relative to `out`.
   */
  async downloadOutputs(job: JobView, out: string): Promise<string[]> {
    const written: string[] = [];
    for (const output of job.outputs.filter((o) => o.status === 'done')) {
      // `<source>-v01.mp4`, or with a placement `<source>-v01-9x16.mp4`: the folder is the source's.
      const folder = output.file.replace(/-v\d+(?:-\d+x\d+)?\.mp4$/, '');
      const relative = path.join(folder, output.file);
      await mkdir(path.join(out, folder), { recursive: true });
      const res = await this.#fetch(routePath(ROUTES.output, { id: job.id, outputId: output.id }));
      await pipeline(Readable.fromWeb(res.body as never), createWriteStream(path.join(out, relative)));
      written.push(relative);
    }
    const manifest = await (await this.#fetch(routePath(ROUTES.manifest, { id: job.id }))).json();
    await writeFile(path.join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    written.push('manifest.json');
    return written;
  }

  /** The whole batch as one ZIP file. */
  async downloadZip(id: string, file: string): Promise<void> {
    const res = await this.#fetch(routePath(ROUTES.download, { id }));
    await pipeline(Readable.fromWeb(res.body as never), createWriteStream(file));
  }

  #auth(): Record<string, string> {
    return { authorization: `Bearer ${this.#token}` };
  }

  /** A route without path parameters that takes a JSON body. */
  #json(route: ClientRoute, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return this.#fetch(routePath(route), {
      method: route[0],
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  }

  /** fetch with the token; an answer that is not 2xx becomes a VidvarApiError with the server's sentence. */
  async #fetch(pathname: string, init: RequestInit = {}): Promise<Response> {
    const headers = { ...this.#auth(), ...(init.headers as Record<string, string> | undefined) };
    const res = await fetch(`${this.#server}${pathname}`, { ...init, headers });
    if (res.ok) return res;
    const text = await res.text();
    let parsed: { code: string; message: string } = { code: 'http_error', message: `HTTP ${res.status}` };
    try {
      parsed = errorSchema.parse(JSON.parse(text));
    } catch {
      // Not vidvar's JSON (a proxy's page): the status says what happened.
    }
    throw new VidvarApiError(res.status, parsed.code, parsed.message);
  }
}
