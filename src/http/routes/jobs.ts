import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { UserError } from '../../errors.js';
import { type JobService, storageFullError } from '../../jobs/job-service.js';
import type { JobDetail, JobStore } from '../../jobs/types.js';
import type { UploadService } from '../../jobs/upload-service.js';
import type { WebhookStore } from '../../jobs/webhook-store.js';
import type { FileAudit } from '../../storage/file-audit.js';
import type { DataLayout } from '../../storage/layout.js';
import { SESSION_COOKIE } from '../auth.js';
import type { ApiApp, JobEvents, StorageBudget } from '../deps.js';
import { discardBody } from '../discard-body.js';
import { JobFeeds } from '../job-feed.js';
import { type EffectDescriber, toJobView } from '../job-view.js';
import { receiveMultipartJob } from '../multipart-job.js';
import { refuseWhileDraining, tooLargeError } from '../refusals.js';
import {
  createJobBodySchema,
  createJobFieldsSchema,
  describeIssues,
  errorSchema,
  jobListSchema,
  jobParamsSchema,
  jobViewSchema,
  MAX_SOURCES_PER_JOB,
} from '../schemas.js';
import { streamJobEvents } from '../sse.js';
import { checkedWebhook, type WebhookPolicy } from '../webhook-request.js';

export interface JobRouteDeps {
  store: JobStore;
  jobs: JobService;
  uploads: UploadService;
  events: JobEvents;
  budget: StorageBudget;
  layout: DataLayout;
  audit: FileAudit;
  describe: EffectDescriber;
  maxUploadBytes: number;
  isDraining: () => boolean;
  webhooks: WebhookStore;
  webhookPolicy: WebhookPolicy;
}

const JOB_LIST_LIMIT = 200;

function lengthRequiredError(): UserError {
  return new UserError(
    'length_required',
    'Send the size of the request (Content-Length) with the files.',
    411,
  );
}

export function notFound(): UserError {
  return new UserError('not_found', 'That batch does not exist (it may have expired or been canceled).', 404);
}

/** Event streams one session may hold open at once (tabs, scripts). */
export const MAX_STREAMS_PER_SESSION = 20;

export function registerJobRoutes(app: ApiApp, deps: JobRouteDeps): void {
  const render = (job: JobDetail) => {
    const webhook = deps.webhooks.getWebhook(job.id);
    const state = webhook ? { webhook, deliveries: deps.webhooks.deliveriesOf(job.id) } : null;
    return toJobView(job, deps.describe, state);
  };
  const view = (id: string) => {
    const job = deps.store.getJob(id);
    return job ? render(job) : null;
  };
  const feeds = new JobFeeds(deps.events, view);
  const streamsBySession = new Map<string, number>();

  app.post(
    '/api/jobs',
    {
      // Multipart requests carry no JSON body: validation runs in the handler for JSON only.
      attachValidation: true,
      schema: {
        tags: ['jobs'],
        summary: 'Create a batch from admitted uploads.',
        description:
          'JSON with upload ids, as below; or multipart/form-data with the videos in field "files" and text ' +
          'fields count, intensity and seed (scripts, curl). A refused video answers 422 naming the file.',
        body: createJobBodySchema,
        response: {
          201: jobViewSchema,
          400: errorSchema,
          413: errorSchema,
          422: errorSchema,
          503: errorSchema,
          507: errorSchema,
        },
      },
    },
    async (request, reply) => {
      refuseWhileDraining(deps.isDraining, reply);
      if (request.isMultipart()) {
        const job = await createFromMultipart(request, reply);
        return reply.code(201).send(render(job));
      }
      if (request.validationError) throw request.validationError;
      const { uploads, count, intensity, seed, webhookUrl, metadata } = request.body;
      const webhook = await checkedWebhook(request, deps.webhookPolicy, webhookUrl, metadata);
      const job = deps.jobs.create({ uploadIds: uploads, count, intensity, seed, webhook });
      return reply.code(201).send(render(job));
    },
  );

  async function createFromMultipart(request: FastifyRequest, reply: FastifyReply) {
    const length = Number(request.headers['content-length'] ?? Number.NaN);
    // Refused before any byte is stored; the connection closes after a bounded drain. Without a
    // length (chunked) the storage budget cannot be checked before the disk fills up.
    const refusal = !Number.isFinite(length)
      ? lengthRequiredError()
      : length > MAX_SOURCES_PER_JOB * deps.maxUploadBytes + 1024 * 1024
        ? tooLargeError(deps.maxUploadBytes)
        : deps.budget.canFit(length)
          ? null
          : storageFullError(deps.budget);
    if (refusal) {
      reply.header('Connection', 'close');
      await discardBody(request.raw);
      throw refusal;
    }
    // The bytes on their way are promised until they are on disk (or deleted).
    const hold = `request:${request.id}`;
    deps.budget.hold(hold, length);
    let received: Awaited<ReturnType<typeof receiveMultipartJob>>;
    try {
      received = await receiveMultipartJob(request, deps.layout, deps.audit, deps.maxUploadBytes);
      deps.budget.settle(hold);
    } catch (error) {
      // Every file of the request was deleted.
      deps.budget.release(hold);
      reply.header('Connection', 'close');
      throw error;
    }
    const fields = createJobFieldsSchema.safeParse(received.fields);
    if (!fields.success || received.files.length === 0) {
      for (const file of received.files) deps.audit.remove(file.path);
      throw !fields.success
        ? new UserError('invalid_request', describeIssues(fields.error.issues), 400)
        : new UserError('invalid_request', 'Add at least one video in the field "files".', 400);
    }
    const { webhookUrl, metadata, ...settings } = fields.data;
    let webhook: Awaited<ReturnType<typeof checkedWebhook>>;
    try {
      webhook = await checkedWebhook(request, deps.webhookPolicy, webhookUrl, metadata);
    } catch (error) {
      for (const file of received.files) deps.audit.remove(file.path);
      throw error;
    }
    // Admission refuses the whole batch when one file is bad, and then leaves none of its files.
    const admitted = await deps.uploads.admitAll(received.files);
    try {
      return deps.jobs.create({ uploadIds: admitted, ...settings, webhook });
    } catch (error) {
      for (const id of admitted) if (deps.store.getUpload(id)) deps.uploads.discard(id);
      throw error;
    }
  }

  app.get(
    '/api/jobs',
    {
      schema: { tags: ['jobs'], summary: 'All batches, newest first.', response: { 200: jobListSchema } },
    },
    async () => ({ jobs: deps.store.listJobs(JOB_LIST_LIMIT).map(render) }),
  );

  app.get(
    '/api/jobs/:id',
    {
      schema: {
        tags: ['jobs'],
        summary: 'One batch with its sources and outputs.',
        params: jobParamsSchema,
        response: { 200: jobViewSchema, 404: errorSchema },
      },
    },
    async (request) => view(request.params.id) ?? Promise.reject(notFound()),
  );

  app.delete(
    '/api/jobs/:id',
    {
      schema: {
        tags: ['jobs'],
        summary: 'Cancel a batch: stops its encodes and deletes its files.',
        params: jobParamsSchema,
        response: { 204: z.undefined(), 404: errorSchema },
      },
    },
    async (request, reply) => {
      if (!(await deps.jobs.cancel(request.params.id))) throw notFound();
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/jobs/:id/retry',
    {
      schema: {
        tags: ['jobs'],
        summary: 'Render again the outputs of a failed batch that are missing.',
        params: jobParamsSchema,
        response: { 200: jobViewSchema, 404: errorSchema, 409: errorSchema, 507: errorSchema },
      },
    },
    async (request) => {
      const job = deps.jobs.retry(request.params.id);
      if (!job) throw notFound();
      return render(job);
    },
  );

  app.get(
    '/api/jobs/:id/events',
    {
      schema: {
        tags: ['jobs'],
        summary:
          'Server-sent events: `event: job` with the JobView on connect and when more than progress changes; ' +
          '`event: progress` with what moved otherwise.',
        params: jobParamsSchema,
        produces: ['text/event-stream'],
        response: { 404: errorSchema, 429: errorSchema },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      // Every stream holds a socket and a viewer: one session (one browser, one script) gets a few.
      const session = request.cookies[SESSION_COOKIE] ?? request.ip;
      const open = streamsBySession.get(session) ?? 0;
      if (open >= MAX_STREAMS_PER_SESSION) {
        throw new UserError(
          'too_many_streams',
          `${open} live views are already open for this sign-in; close some tabs and try again.`,
          429,
          { retryAfterS: 30 },
        );
      }
      const onEnd = () => {
        const left = (streamsBySession.get(session) ?? 1) - 1;
        if (left > 0) streamsBySession.set(session, left);
        else streamsBySession.delete(session);
      };
      // Counted before it opens: a stream of a finished job ends inside streamJobEvents.
      streamsBySession.set(session, open + 1);
      if (!streamJobEvents(request, reply, { jobId: id, feeds, onEnd })) {
        onEnd();
        throw notFound();
      }
    },
  );
}
