import { finished } from 'node:stream/promises';
import { ZipArchive } from 'archiver';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { batchZipName } from '../batch-name.js';
import type { JobDetail, OutputRecord } from '../jobs/types.js';
import { type FileStore, keyOf } from '../storage/file-store.js';
import { type DataLayout, outputPath } from '../storage/layout.js';
import { contentDisposition } from './content-disposition.js';
import { jobManifest, type ManifestTool } from './job-manifest.js';
import { outputNames } from './job-view.js';
import { VARIATIONS_CSV, variationsCsv } from './variations-csv.js';

/**
 * Streams a job's finished outputs as one ZIP (store mode: H.264 does not compress further), with
 * manifest.json (the exact plans) and variations.csv (a plain row per file), straight from where the
 * files rest (outputs/ or the bucket) into the response; the archive never exists on disk. Entries are opened one at a
 * time, so a client that goes away leaves no open file behind.
 */
export async function streamJobZip(
  request: FastifyRequest,
  reply: FastifyReply,
  job: JobDetail,
  storage: { layout: DataLayout; files: FileStore },
  tool: ManifestTool,
): Promise<void> {
  const names = outputNames(job);
  const createdAt = new Date();
  const entries: Array<{ key: string; name: string }> = [];
  const delivered: OutputRecord[] = [];
  for (const output of job.outputs) {
    if (output.status !== 'done') continue;
    const key = keyOf(storage.layout.root, outputPath(storage.layout, job.id, output.id));
    const name = names.get(output.id);
    // A finished output the janitor already removed is left out rather than failing the whole ZIP.
    if (name && (await storage.files.stat(key))) {
      entries.push({ key, name: `${name.folder}/${name.file}` });
      delivered.push(output);
    }
  }
  const manifest = jobManifest(job, names, tool, createdAt.toISOString());

  const res = reply.raw;
  reply.hijack();
  res.writeHead(200, {
    'Content-Type': 'application/zip',
    'Content-Disposition': contentDisposition('attachment', zipFileName(job)),
    'Cache-Control': 'no-store',
  });

  const archive = new ZipArchive({ store: true });
  const gone = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) gone.abort();
  };
  res.on('close', onClose);
  archive.on('warning', (error) => request.log.warn({ err: error, jobId: job.id }, 'zip warning'));
  archive.on('error', (error) => {
    request.log.error({ err: error, jobId: job.id }, 'zip failed');
    res.destroy();
  });
  archive.pipe(res);

  try {
    archive.append(`${JSON.stringify(manifest, null, 2)}\n`, { name: 'manifest.json', date: createdAt });
    archive.append(variationsCsv(job, delivered, names), { name: VARIATIONS_CSV, date: createdAt });
    for (const entry of entries) {
      const opened = await storage.files.open(entry.key);
      // Removed since the listing: the manifest already names it, so the ZIP cannot be whole.
      if (!opened) throw new Error(`${entry.key} disappeared while the ZIP was being sent`);
      const source = opened.stream;
      archive.append(source, { name: entry.name, date: createdAt });
      try {
        await finished(source, { signal: gone.signal });
      } finally {
        if (gone.signal.aborted) source.destroy();
      }
    }
    await archive.finalize();
  } catch (error) {
    archive.abort();
    if (gone.signal.aborted) {
      request.log.info({ jobId: job.id }, 'zip download canceled by the client');
    } else {
      request.log.error({ err: error, jobId: job.id }, 'zip failed');
      res.destroy();
    }
  } finally {
    res.off('close', onClose);
  }
}

/** The batch's name as a file name; batches from before names keep the id-based one. */
function zipFileName(job: JobDetail): string {
  return job.name ? batchZipName(job.name, new Date(job.createdAt)) : `vidvar-${job.id.slice(0, 8)}.zip`;
}
