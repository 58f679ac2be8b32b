import { statSync } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { UserError } from '../../errors.js';
import type { IdempotencyKeys, KeyRef } from '../../jobs/idempotency-store.js';
import { type JobService, storageFullError } from '../../jobs/job-service.js';
import type { JobDetail, JobStore } from '../../jobs/types.js';
import type { ReceivedFile, UploadService } from '../../jobs/upload-service.js';
import type { FileAudit } from '../../storage/file-audit.js';
import type { DataLayout } from '../../storage/layout.js';
import type { StorageBudget } from '../deps.js';
import { discardBody } from '../discard-body.js';
import { type Answer, type Claim, claimKey, fingerprintOf, replayed } from '../idempotency.js';
import { receiveMultipartJob } from '../multipart-job.js';
import { placementOf } from '../placement-view.js';
import { tooLargeError } from '../refusals.js';
import { createJobFieldsSchema, describeIssues, MAX_SOURCES_PER_JOB } from '../schemas.js';
import { checkedWebhook, type WebhookPolicy } from '../webhook-request.js';

/**
 * `POST /api/jobs` as multipart/form-data (scripts, curl): the files are received onto the volume
 * within the storage budget, the fields checked, the key claimed (a retry's files are deleted and the
 * first answer given), then the files admitted and the job created. Any refusal leaves no file.
 */
export interface MultipartJobDeps {
  store: JobStore;
  jobs: JobService;
  uploads: UploadService;
  budget: StorageBudget;
  layout: DataLayout;
  audit: FileAudit;
  maxUploadBytes: number;
  idempotency: IdempotencyKeys;
  webhookPolicy: WebhookPolicy;
  now: () => number;
}

function lengthRequiredError(): UserError {
  return new UserError(
    'length_required',
    'Send the size of the request (Content-Length) with the files.',
    411,
  );
}

export async function createFromMultipart(
  deps: MultipartJobDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  ref: KeyRef | undefined,
  created: (job: JobDetail) => Promise<Answer>,
): Promise<Answer> {
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
  // The same fields and the same files, by name, size and bytes (a retry sends another multipart
  // boundary, so the raw body cannot be compared; a different file of the same size must not replay).
  const content = {
    fields: received.fields,
    files: received.files.map((f) => [f.name, statSync(f.path).size, f.sha256]),
  };
  let claim: Claim = { kind: 'new' };
  try {
    if (ref) claim = await claimKey(deps.idempotency, ref, fingerprintOf(content), deps.now());
  } catch (error) {
    for (const file of received.files) deps.audit.remove(file.path);
    throw error;
  }
  if (claim.kind === 'replay') {
    for (const file of received.files) deps.audit.remove(file.path);
    return replayed(claim.answer);
  }
  try {
    const answer = await created(await createFromReceived(deps, request, received.files, fields.data));
    if (ref) await deps.idempotency.complete(ref, answer);
    return answer;
  } catch (error) {
    if (ref) await deps.idempotency.release(ref);
    throw error;
  }
}

async function createFromReceived(
  deps: MultipartJobDeps,
  request: FastifyRequest,
  files: ReceivedFile[],
  data: z.output<typeof createJobFieldsSchema>,
): Promise<JobDetail> {
  const { webhookUrl, metadata, formats, fit, padColour, platform, loudness, ...settings } = data;
  let webhook: Awaited<ReturnType<typeof checkedWebhook>>;
  let placement: ReturnType<typeof placementOf>;
  try {
    // Bad placement fields refuse the request before any file is admitted, and leave none behind.
    placement = placementOf({ formats, fit, padColour, platform, loudness });
    webhook = await checkedWebhook(request, deps.webhookPolicy, webhookUrl, metadata);
  } catch (error) {
    for (const file of files) deps.audit.remove(file.path);
    throw error;
  }
  // Admission refuses the whole batch when one file is bad, and then leaves none of its files.
  const admitted = await deps.uploads.admitAll(files);
  try {
    return await deps.jobs.create({ uploadIds: admitted, ...settings, webhook, placement });
  } catch (error) {
    for (const id of admitted) if (await deps.store.getUpload(id)) await deps.uploads.discard(id);
    throw error;
  }
}
