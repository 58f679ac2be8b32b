import { z } from 'zod';
import { UserError } from '../../errors.js';
import type { IdempotencyKeys } from '../../jobs/idempotency-store.js';
import type { JobService } from '../../jobs/job-service.js';
import type { JobDetail, JobStore } from '../../jobs/types.js';
import type { UploadService } from '../../jobs/upload-service.js';
import type { WebhookDeliveries } from '../../jobs/webhook-store.js';
import type { FileAudit } from '../../storage/file-audit.js';
import type { DataLayout } from '../../storage/layout.js';
import { jobListQuerySchema } from '../batch-settings-schema.js';
import type { ApiApp, JobEvents, StorageBudget } from '../deps.js';
import { type Answer, fingerprintOf, idempotencyRef, oncePerKey } from '../idempotency.js';
import { JobFeeds } from '../job-feed.js';
import { type EffectDescriber, toJobView } from '../job-view.js';
import { placementOf } from '../placement-view.js';
import { refuseWhileDraining } from '../refusals.js';
import {
  createJobBodySchema,
  errorSchema,
  jobListSchema,
  jobParamsSchema,
  jobViewSchema,
} from '../schemas.js';
import { streamJobEvents } from '../sse.js';
import { checkedWebhook, type WebhookPolicy } from '../webhook-request.js';
import { createFromMultipart } from './jobs-multipart.js';

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
  webhooks: WebhookDeliveries;
  webhookPolicy: WebhookPolicy;
  idempotency: IdempotencyKeys;
  now: () => number;
}

const JOB_LIST_LIMIT = 200;

export function notFound(): UserError {
  return new UserError('not_found', 'That batch does not exist (it may have expired or been canceled).', 404);
}

/** Event streams one sign-in (a session or an API token) may hold open at once (tabs, scripts). */
export const MAX_STREAMS_PER_SESSION = 20;

export function registerJobRoutes(app: ApiApp, deps: JobRouteDeps): void {
  const render = async (job: JobDetail) => {
    const webhook = await deps.webhooks.getWebhook(job.id);
    const state = webhook ? { webhook, deliveries: await deps.webhooks.deliveriesOf(job.id) } : null;
    return toJobView(job, deps.describe, state);
  };
  const view = async (id: string) => {
    const job = await deps.store.getJob(id);
    return job ? await render(job) : null;
  };
  const feeds = new JobFeeds(deps.events, view, (error, jobId) =>
    app.log.error({ err: error, jobId }, 'job not read for its event streams; the next change retries'),
  );
  const streamsByPrincipal = new Map<string, number>();

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
          'fields count, intensity, seed, name, exclude (comma-separated) and protectText (scripts, curl). A refused video answers 422 naming the file. ' +
          'With an Idempotency-Key header, a retry gets the first answer (24 h; 422 when the request differs).',
        body: createJobBodySchema,
        response: {
          201: jobViewSchema,
          400: errorSchema,
          409: errorSchema,
          413: errorSchema,
          422: errorSchema,
          503: errorSchema,
          507: errorSchema,
        },
      },
    },
    async (request, reply) => {
      refuseWhileDraining(deps.isDraining, reply);
      const ref = idempotencyRef(request, 'POST /api/jobs');
      let answer: Answer;
      if (request.isMultipart()) {
        answer = await createFromMultipart(deps, request, reply, ref, created);
      } else {
        if (request.validationError) throw request.validationError;
        const body = request.body;
        answer = await oncePerKey(deps.idempotency, ref, fingerprintOf(body), deps.now(), async () => {
          const { uploads, webhookUrl, metadata, formats, fit, padColour, platform, loudness, ...settings } =
            body;
          const placement = placementOf({ formats, fit, padColour, platform, loudness });
          const webhook = await checkedWebhook(request, deps.webhookPolicy, webhookUrl, metadata);
          return await created(
            await deps.jobs.create({ uploadIds: uploads, ...settings, webhook, placement }),
          );
        });
      }
      // Only a 201 is ever kept: a replay answers as the first request did.
      return reply
        .code(answer.status as 201)
        .headers(answer.headers)
        .send(JSON.parse(answer.body));
    },
  );

  const created = async (job: JobDetail): Promise<Answer> => ({
    status: 201,
    headers: {},
    body: JSON.stringify(await render(job)),
  });

  app.get(
    '/api/jobs',
    {
      schema: {
        tags: ['jobs'],
        summary: 'All batches, newest first; ?q= finds them by name or file name.',
        querystring: jobListQuerySchema,
        response: { 200: jobListSchema, 400: errorSchema },
      },
    },
    async (request) => ({
      jobs: await Promise.all(
        (await deps.store.listJobs(JOB_LIST_LIMIT, request.query.q?.trim() || undefined)).map(render),
      ),
    }),
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
    async (request) => (await view(request.params.id)) ?? Promise.reject(notFound()),
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
    '/api/jobs/:id/stop',
    {
      schema: {
        tags: ['jobs'],
        summary: 'Stop a batch: its encodes end, finished variations stay downloadable (status canceled).',
        params: jobParamsSchema,
        response: { 200: jobViewSchema, 404: errorSchema },
      },
    },
    async (request) => {
      const job = await deps.jobs.stop(request.params.id);
      if (!job) throw notFound();
      return toJobView(job, deps.describe);
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
      const job = await deps.jobs.retry(request.params.id);
      if (!job) throw notFound();
      return await render(job);
    },
  );

  app.get(
    '/api/jobs/:id/events',
    {
      schema: {
        tags: ['jobs'],
        summary:
          'Server-sent events: `event: job` with the whole JobView on connect, after falling behind or when ' +
          'the list of outputs changes; `event: change` with the moving job fields and the outputs that changed otherwise.',
        params: jobParamsSchema,
        produces: ['text/event-stream'],
        response: { 404: errorSchema, 429: errorSchema },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      // Every stream holds a socket and a viewer: one sign-in (one browser, one script) gets a few.
      // Counted on the credential the access check accepted; the address only if the route ever turns public.
      const caller = request.principal ?? request.ip;
      const open = streamsByPrincipal.get(caller) ?? 0;
      if (open >= MAX_STREAMS_PER_SESSION) {
        throw new UserError(
          'too_many_streams',
          `${open} live views are already open for this sign-in; close some tabs and try again.`,
          429,
          { retryAfterS: 30 },
        );
      }
      const onEnd = () => {
        const left = (streamsByPrincipal.get(caller) ?? 1) - 1;
        if (left > 0) streamsByPrincipal.set(caller, left);
        else streamsByPrincipal.delete(caller);
      };
      // Counted before it opens: a stream of a finished job ends inside streamJobEvents.
      streamsByPrincipal.set(caller, open + 1);
      if (!(await streamJobEvents(request, reply, { jobId: id, feeds, onEnd }))) {
        onEnd();
        throw notFound();
      }
    },
  );
}
