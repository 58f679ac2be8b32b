import { readdir, readFile, rm, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

/**
 * The three multipart operations s3rver (npm) lacks: ListParts and AbortMultipartUpload (it answers
 * 405) and ListMultipartUploads (501). @tus/s3-store needs ListParts on every resumed request, the
 * publish needs Abort, and the tests need ListMultipartUploads to see that nothing stays open. No S3
 * server that has them installs from npm or Debian, so they are served here, over s3rver's own files:
 * `<root>/<bucket>/._S3rver_uploads/<uploadId>/{key, metadata, <part>, <part>.md5}`, the layout its
 * initiateUpload and putPart write (node_modules/s3rver/lib/stores/filesystem.js). A part counts
 * once its .md5 exists, which putPart writes after the bytes. Only path-style URLs, no signature
 * check (s3rver checks those on everything else), no paging of uploads: this is a test server.
 *
 * Returns false when the request is none of the three, for s3rver to answer.
 */
export async function serveMissingMultipart(
  root: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://s3');
  const [bucket, ...keyParts] = url.pathname.slice(1).split('/').map(decodeURIComponent);
  if (!bucket) return false;
  const key = keyParts.join('/');
  const uploadId = url.searchParams.get('uploadId');
  const uploadsDir = path.join(root, bucket, '._S3rver_uploads');
  if (key === '' && req.method === 'GET' && url.searchParams.has('uploads')) {
    await listUploads(uploadsDir, bucket, url.searchParams.get('prefix') ?? '', res);
    return true;
  }
  if (key === '' || uploadId === null || !/^[0-9a-f]+$/.test(uploadId)) return false;
  const uploadDir = path.join(uploadsDir, uploadId);
  if (req.method !== 'GET' && req.method !== 'DELETE') return false;
  const storedKey = await readFile(path.join(uploadDir, 'key'), 'utf8').catch(missingAsNull);
  if (storedKey !== key) {
    sendXml(res, 404, element('Error', { Code: 'NoSuchUpload', Message: 'The upload does not exist.' }));
    return true;
  }
  if (req.method === 'DELETE') {
    await rm(uploadDir, { recursive: true, force: true });
    res.writeHead(204).end();
    return true;
  }
  await listParts(uploadDir, { bucket, key, uploadId }, url.searchParams, res);
  return true;
}

async function listParts(
  uploadDir: string,
  upload: { bucket: string; key: string; uploadId: string },
  query: URLSearchParams,
  res: ServerResponse,
): Promise<void> {
  const marker = Number(query.get('part-number-marker') ?? 0);
  const maxParts = Number(query.get('max-parts') ?? 1000);
  const numbers = (await readdir(uploadDir))
    .filter((name) => /^\d+\.md5$/.test(name))
    .map((name) => Number.parseInt(name, 10))
    .filter((n) => n > marker)
    .sort((a, b) => a - b);
  const shown = numbers.slice(0, maxParts);
  const parts = await Promise.all(
    shown.map(async (n) => {
      const file = path.join(uploadDir, String(n));
      const [md5, facts] = await Promise.all([readFile(`${file}.md5`, 'utf8'), stat(file)]);
      return element('Part', {
        PartNumber: String(n),
        LastModified: facts.mtime.toISOString(),
        ETag: `"${md5}"`,
        Size: String(facts.size),
      });
    }),
  );
  const truncated = numbers.length > shown.length;
  sendXml(
    res,
    200,
    element('ListPartsResult', {
      Bucket: upload.bucket,
      Key: upload.key,
      UploadId: upload.uploadId,
      PartNumberMarker: String(marker),
      // As S3: the last part listed, for the next page; none when none was listed.
      ...(shown.length > 0 ? { NextPartNumberMarker: String(shown.at(-1)) } : {}),
      MaxParts: String(maxParts),
      IsTruncated: String(truncated),
      '': parts.join(''),
    }),
  );
}

async function listUploads(
  uploadsDir: string,
  bucket: string,
  prefix: string,
  res: ServerResponse,
): Promise<void> {
  const ids = (await readdir(uploadsDir).catch(missingAsNull)) ?? [];
  const uploads: string[] = [];
  for (const id of ids.sort()) {
    const dir = path.join(uploadsDir, id);
    const key = await readFile(path.join(dir, 'key'), 'utf8').catch(missingAsNull);
    if (key === null || !key.startsWith(prefix)) continue;
    // The key file is written once, at initiation (a folder's birth time is not known everywhere).
    const initiated = (await stat(path.join(dir, 'key'))).mtime.toISOString();
    uploads.push(element('Upload', { Key: key, UploadId: id, Initiated: initiated }));
  }
  sendXml(
    res,
    200,
    element('ListMultipartUploadsResult', {
      Bucket: bucket,
      Prefix: prefix,
      MaxUploads: '1000',
      IsTruncated: 'false',
      '': uploads.join(''),
    }),
  );
}

/** An element whose children are escaped text elements; the '' entry is XML put in as it is. */
function element(name: string, children: Record<string, string>): string {
  const inner = Object.entries(children)
    .map(([tag, value]) => (tag === '' ? value : `<${tag}>${escapeXml(value)}</${tag}>`))
    .join('');
  return `<${name}>${inner}</${name}>`;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function sendXml(res: ServerResponse, status: number, body: string): void {
  res
    .writeHead(status, { 'content-type': 'application/xml' })
    .end(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
}

function missingAsNull(error: NodeJS.ErrnoException): null {
  if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return null;
  throw error;
}
