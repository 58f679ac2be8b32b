import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';

/**
 * What the client can upload: a file on disk by its path, or bytes already in memory (a Buffer, a
 * Uint8Array or a Blob) with the name the batch should show.
 */
export interface UploadData {
  name: string;
  data: Buffer | Uint8Array | Blob;
  /** Optional; when given it must match the data, so a truncated buffer is caught before sending. */
  size?: number;
}

export type UploadSource = string | UploadData;

/** A source ready for one tus PATCH: its name, its length and a body fetch can stream. */
export interface UploadBody {
  name: string;
  size: number;
  body: BodyInit;
}

export async function uploadBody(source: UploadSource): Promise<UploadBody> {
  if (typeof source === 'string') {
    const { size } = await stat(source);
    const body = Readable.toWeb(createReadStream(source)) as ReadableStream;
    return { name: path.basename(source), size, body };
  }
  const { name, data } = source;
  if (typeof name !== 'string' || name.trim() === '') throw new TypeError('files: each upload needs a name');
  // Checked at run time too: a script in plain JavaScript can pass anything.
  let body: Blob | Uint8Array<ArrayBuffer>;
  if (data instanceof Blob) body = data;
  else if (data instanceof Uint8Array) body = data as Uint8Array<ArrayBuffer>;
  else throw new TypeError(`files: ${name}: data must be a Buffer, a Uint8Array or a Blob`);
  const size = body instanceof Blob ? body.size : body.byteLength;
  if (source.size !== undefined && source.size !== size) {
    throw new TypeError(`files: ${name}: size says ${source.size} bytes but the data has ${size}`);
  }
  return { name, size, body };
}
