import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import { UserError } from '../errors.js';
import { newId } from '../jobs/job-service.js';
import type { ReceivedFile } from '../jobs/upload-service.js';
import type { FileAudit } from '../storage/file-audit.js';
import type { DataLayout } from '../storage/layout.js';
import { displayName } from './display-name.js';
import { PLACEMENT_FIELD_NAMES } from './placement-schema.js';
import { tooLargeError } from './refusals.js';
import { MAX_SOURCES_PER_JOB } from './schemas.js';

/**
 * Reads a multipart job request: each part in field `files` streams to uploads/<id>.part on the
 * volume (never memory, never /tmp), the other fields are short text. Any failure deletes every
 * file this request wrote.
 */
/** A received file with the SHA-256 of its bytes, so a retry can be told from another request. */
export interface ReceivedPart extends ReceivedFile {
  sha256: string;
}

export interface MultipartJob {
  files: ReceivedPart[];
  fields: Record<string, string>;
}

const FIELD_NAMES = new Set([
  'count',
  'intensity',
  'seed',
  'webhookUrl',
  'metadata',
  'name',
  'exclude',
  'protectText',
  ...PLACEMENT_FIELD_NAMES,
]);
/** Room for 4 KB of metadata (and a little more, so that too much is refused rather than cut). */
const FIELD_BYTES = 8 * 1024;

export async function receiveMultipartJob(
  request: FastifyRequest,
  layout: DataLayout,
  audit: FileAudit,
  maxFileBytes: number,
): Promise<MultipartJob> {
  const files: ReceivedPart[] = [];
  const fields: Record<string, string> = {};
  try {
    const parts = request.parts({
      limits: {
        fileSize: maxFileBytes,
        files: MAX_SOURCES_PER_JOB,
        fields: FIELD_NAMES.size,
        parts: MAX_SOURCES_PER_JOB + FIELD_NAMES.size,
        fieldSize: FIELD_BYTES,
        headerPairs: 100,
      },
    });
    for await (const part of parts) {
      if (part.type === 'field') {
        if (part.valueTruncated) {
          throw new UserError('invalid_request', `${part.fieldname}: is too long.`, 400);
        }
        if (FIELD_NAMES.has(part.fieldname) && typeof part.value === 'string')
          fields[part.fieldname] = part.value;
        continue;
      }
      if (part.fieldname !== 'files') {
        part.file.resume();
        throw new UserError(
          'invalid_request',
          `Send videos in the field "files", not "${part.fieldname}".`,
          400,
        );
      }
      const id = newId();
      const file = path.join(layout.uploads, `${id}.part`);
      // Opened before anything can fail, so the clean-up below never races a file still being created.
      const handle = await open(file, 'wx');
      const received: ReceivedPart = { id, path: file, name: displayName(part.filename), sha256: '' };
      files.push(received);
      // Hashed as it streams to disk: no second read of a file that may be gigabytes.
      const hash = createHash('sha256');
      await pipeline(
        part.file,
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const chunk of chunks) {
            hash.update(chunk);
            yield chunk;
          }
        },
        handle.createWriteStream(),
      );
      received.sha256 = hash.digest('hex');
      audit.created(file);
    }
  } catch (error) {
    for (const file of files) audit.remove(file.path);
    throw translate(error, maxFileBytes);
  }
  return { files, fields };
}

function translate(error: unknown, maxFileBytes: number): unknown {
  const code = (error as { code?: string }).code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') return tooLargeError(maxFileBytes);
  if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT') {
    return new UserError('too_many_files', `Send at most ${MAX_SOURCES_PER_JOB} videos in one batch.`, 413);
  }
  if (code === 'FST_FIELDS_LIMIT') return new UserError('invalid_request', 'Too many form fields.', 400);
  // A failing disk has a system call; anything else here is the body's own fault (a form cut short,
  // a broken part header), which the client must send again.
  if (error instanceof Error && !('syscall' in error) && !(error instanceof UserError)) {
    return new UserError(
      'incomplete_upload',
      'The upload was cut off or malformed before its end; send the files again.',
      400,
    );
  }
  return error;
}
