import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { UserError } from '../../errors.js';
import type { JobDetail, JobStore } from '../../jobs/types.js';
import { type EngineOptions, ffmpegVersion } from '../../media/index.js';
import { type FileStore, keyOf } from '../../storage/file-store.js';
import { type DataLayout, outputPath, sourceStillPath, thumbnailPath } from '../../storage/layout.js';
import type { ApiApp } from '../deps.js';
import { sendFile } from '../file-response.js';
import { jobManifest } from '../job-manifest.js';
import { outputNames } from '../job-view.js';
import {
  downloadQuerySchema,
  errorSchema,
  jobParamsSchema,
  outputParamsSchema,
  sourceParamsSchema,
} from '../schemas.js';
import { redirectToStoredFile, type StoredFileOptions, sendStoredFile } from '../stored-file-response.js';
import { streamJobZip } from '../zip-stream.js';
import { notFound } from './jobs.js';

export interface DownloadRouteDeps {
  store: JobStore;
  layout: DataLayout;
  /** Where the files rest; in S3 mode they are sent from the bucket. */
  files: FileStore;
  toolVersion: string;
  /** Names the FFmpeg build in the ZIP's manifest. */
  engine: EngineOptions;
}

export function registerDownloadRoutes(app: ApiApp, deps: DownloadRouteDeps): void {
  /**
   * Local files go as always (sendFile); in S3 mode a video redirects to a short-lived link to the
   * bucket and a still streams from it.
   */
  const send = (
    request: FastifyRequest,
    reply: FastifyReply,
    file: string,
    options: StoredFileOptions & { redirect?: boolean },
  ) => {
    if (deps.files.kind === 'local') return sendFile(request, reply, file, options);
    const key = keyOf(deps.layout.root, file);
    if (options.redirect) return redirectToStoredFile(reply, deps.files, key, options);
    return sendStoredFile(request, reply, deps.files, key, options);
  };

  app.get(
    '/api/jobs/:id/download',
    {
      schema: {
        tags: ['downloads'],
        summary:
          'Every finished output in one ZIP (folder per source) with manifest.json; or the chosen ones.',
        params: jobParamsSchema,
        querystring: downloadQuerySchema,
        produces: ['application/zip'],
        response: { 404: errorSchema, 409: errorSchema },
      },
    },
    async (request, reply) => {
      const found = await deps.store.getJob(request.params.id);
      if (!found) throw notFound();
      const job = chosenOutputs(found, request.query);
      if (!job.outputs.some((output) => output.status === 'done')) {
        throw new UserError('not_ready', 'No video of this batch is finished yet.', 409);
      }
      const ffmpeg = await ffmpegVersion(deps.engine);
      await streamJobZip(request, reply, job, deps, { version: deps.toolVersion, ffmpeg });
    },
  );

  app.get(
    '/api/jobs/:id/manifest',
    {
      schema: {
        tags: ['downloads'],
        summary: "The ZIP's manifest.json alone: what `vidvar make` writes, for the finished outputs.",
        params: jobParamsSchema,
        response: { 200: z.record(z.string(), z.unknown()), 404: errorSchema },
      },
    },
    async (request) => {
      const job = await deps.store.getJob(request.params.id);
      if (!job) throw notFound();
      const ffmpeg = await ffmpegVersion(deps.engine);
      const manifest = jobManifest(
        job,
        outputNames(job),
        { version: deps.toolVersion, ffmpeg },
        new Date().toISOString(),
      );
      return manifest as unknown as Record<string, unknown>;
    },
  );

  const finishedOutput = async (jobId: string, outputId: string) => {
    const job = await deps.store.getJob(jobId);
    if (!job) throw notFound();
    const output = job.outputs.find((o) => o.id === outputId);
    if (output?.status !== 'done') {
      throw new UserError('not_found', 'That video is not finished or does not exist.', 404);
    }
    return { job, output, name: outputNames(job).get(output.id)?.file ?? `${output.id}.mp4` };
  };

  app.get(
    '/api/jobs/:id/outputs/:outputId',
    {
      schema: {
        tags: ['downloads'],
        summary:
          'One finished output (video/mp4); supports Range for seeking. With S3 storage: a 302 to a link valid 5 minutes.',
        params: outputParamsSchema,
        produces: ['video/mp4'],
        response: { 404: errorSchema, 416: errorSchema },
      },
    },
    async (request, reply) => {
      const { job, output, name } = await finishedOutput(request.params.id, request.params.outputId);
      return send(request, reply, outputPath(deps.layout, job.id, output.id), {
        contentType: 'video/mp4',
        downloadName: name,
        notFound: 'That video is no longer on the server.',
        redirect: true,
      });
    },
  );

  app.get(
    '/api/jobs/:id/outputs/:outputId/thumbnail',
    {
      schema: {
        tags: ['downloads'],
        summary: 'A still image of one finished output (image/jpeg).',
        params: outputParamsSchema,
        produces: ['image/jpeg'],
        response: { 404: errorSchema },
      },
    },
    async (request, reply) => {
      const { job, output, name } = await finishedOutput(request.params.id, request.params.outputId);
      return send(request, reply, thumbnailPath(deps.layout, job.id, output.id), {
        contentType: 'image/jpeg',
        downloadName: name.replace(/\.mp4$/, '.jpg'),
        notFound: 'That thumbnail is no longer on the server.',
      });
    },
  );

  app.get(
    '/api/jobs/:id/sources/:sourceId/thumbnail',
    {
      schema: {
        tags: ['downloads'],
        summary:
          "A still of one of the batch's original videos (image/jpeg), to compare with its variations.",
        params: sourceParamsSchema,
        produces: ['image/jpeg'],
        response: { 404: errorSchema },
      },
    },
    async (request, reply) => {
      const job = await deps.store.getJob(request.params.id);
      if (!job) throw notFound();
      const source = job.sources.find((s) => s.id === request.params.sourceId);
      if (!source) throw new UserError('not_found', 'That video is not a source of this batch.', 404);
      return send(request, reply, sourceStillPath(deps.layout, job.id, source.id), {
        contentType: 'image/jpeg',
        downloadName: `${source.name.replace(/\.[^.]*$/, '')}-original.jpg`,
        notFound: 'There is no still of that video (yet).',
      });
    },
  );
}

/**
 * The job with only the outputs a download asked for: some by id, or one source's. Names in the ZIP
 * stay those of the whole batch, so a selection unpacks beside a full download without clashes.
 */
function chosenOutputs(
  job: JobDetail,
  query: { outputs?: string | undefined; source?: string | undefined },
): JobDetail {
  let outputs = job.outputs;
  if (query.source !== undefined) {
    if (!job.sources.some((source) => source.id === query.source)) {
      throw new UserError('not_found', 'That video is not a source of this batch.', 404);
    }
    outputs = outputs.filter((output) => output.sourceId === query.source);
  }
  if (query.outputs !== undefined) {
    const wanted = new Set(query.outputs.split(',').filter(Boolean));
    const picked = outputs.filter((output) => wanted.has(output.id));
    if (wanted.size === 0 || picked.length !== wanted.size) {
      throw new UserError('not_found', 'Some of the chosen variations are not in this batch.', 404);
    }
    if (picked.some((output) => output.status !== 'done')) {
      throw new UserError('not_ready', 'Some of the chosen variations are not finished yet.', 409);
    }
    outputs = picked;
  }
  return { ...job, outputs };
}
