import { z } from 'zod';

/**
 * Shapes of every request and answer of the HTTP API; the OpenAPI document is generated from them,
 * and the web client takes its types from them.
 */

import { JOB_STATUSES, OUTPUT_STATUSES } from '../job-status.js';
import {
  batchSettingsFields,
  batchSettingsSchema,
  batchSettingsViewSchema,
} from './batch-settings-schema.js';
import { distinctnessSchema } from './distinctness-schema.js';
import { MAX_OUTPUTS_PER_SOURCE, MAX_SOURCES_PER_JOB } from './limits.js';
import {
  jobPlacementFields,
  outputPlacementFields,
  placementBodyFields,
  placementFormFields,
} from './placement-schema.js';

export { MAX_OUTPUTS_PER_SOURCE, MAX_SOURCES_PER_JOB };

export const errorSchema = z
  .object({ code: z.string(), message: z.string() })
  .describe('Every error: a stable code and one sentence for a person.');

export const idSchema = z.string().min(1).max(64);

export const loginBodySchema = z.object({ password: z.string().min(1).max(1024) });
export const sessionStatusSchema = z.object({ authenticated: z.literal(true) });

export const intensitySchema = z.enum(['subtle', 'medium', 'strong']);
export type Intensity = z.infer<typeof intensitySchema>;

/** Metadata a job carries to its webhook, as the caller gave it. */
export const MAX_METADATA_BYTES = 4096;
export const metadataSchema = z
  .record(z.string(), z.unknown())
  .refine((value) => new TextEncoder().encode(JSON.stringify(value)).length <= MAX_METADATA_BYTES, {
    message: `must be at most ${MAX_METADATA_BYTES / 1024} KB as JSON`,
  })
  .describe('Any JSON object of at most 4 KB, sent back unchanged in the webhook event.');

export const webhookUrlSchema = z
  .url({ protocol: /^https?$/, message: 'must be an http(s) address' })
  .max(2048)
  .describe('Receives a signed POST when the batch ends (done, failed or canceled).');

export const createJobBodySchema = z.object({
  uploads: z
    .array(idSchema)
    .min(1)
    .max(MAX_SOURCES_PER_JOB)
    .describe('Upload ids (last segment of tus URLs).'),
  count: z.number().int().min(1).max(MAX_OUTPUTS_PER_SOURCE).describe('Variations per source.'),
  intensity: intensitySchema,
  seed: z.string().min(1).max(64).optional().describe('Same seed, same sources: same variations.'),
  webhookUrl: webhookUrlSchema.optional(),
  metadata: metadataSchema.optional(),
  ...batchSettingsSchema.shape,
  ...placementBodyFields,
});
export type CreateJobBody = z.infer<typeof createJobBodySchema>;

/** Multipart fields arrive as text: the same rules, coerced. */
export const createJobFieldsSchema = z.object({
  count: z.coerce.number().int().min(1).max(MAX_OUTPUTS_PER_SOURCE),
  intensity: intensitySchema,
  seed: z.string().min(1).max(64).optional(),
  webhookUrl: webhookUrlSchema.optional(),
  metadata: z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON object' });
        return z.NEVER;
      }
    })
    .pipe(metadataSchema)
    .optional(),
  ...batchSettingsFields.shape,
  ...placementFormFields,
});

export const uploadInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  sizeBytes: z.number(),
  durationSec: z.number(),
  width: z.number(),
  height: z.number(),
});
export type UploadInfo = z.infer<typeof uploadInfoSchema>;
/** A job's source: the same facts as the upload it was. */
export type SourceView = UploadInfo;

const effectViewSchema = z.object({
  id: z.string(),
  label: z.string(),
  params: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])),
  description: z.string(),
  family: z.string().describe('What a card groups it under: framing, colour, texture, timing, audio'),
  plain: z.string().describe('The change in plain words, e.g. "Zoom 112%, towards top right"'),
});

export const outputViewSchema = z.object({
  id: z.string(),
  sourceId: z.string(),
  index: z.number().int(),
  status: z.enum(OUTPUT_STATUSES),
  progress: z.number().min(0).max(1),
  error: z.string().optional(),
  errorPlain: z.string().optional().describe('What went wrong in plain words; `error` is the technical line'),
  size: z.number().optional(),
  durationSec: z.number().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
  effects: z.array(effectViewSchema),
  distinctness: distinctnessSchema.optional(),
  file: z.string().describe('File name inside the ZIP folder of its source, e.g. ad-v01.mp4'),
  ...outputPlacementFields,
});

export const webhookViewSchema = z.object({
  url: z.string(),
  deliveries: z.array(
    z.object({
      id: z.string().describe('The webhook-id header of every attempt of this event.'),
      event: z.string().describe('job.done, job.failed or job.canceled'),
      state: z.enum(['pending', 'delivered', 'failed']),
      nextAttemptAt: z.string().nullable(),
      attempts: z.array(
        z.object({ at: z.string(), statusCode: z.number().int().nullable(), error: z.string().nullable() }),
      ),
    }),
  ),
});
export type WebhookView = z.infer<typeof webhookViewSchema>;

export const jobViewSchema = z.object({
  id: z.string(),
  status: z.enum(JOB_STATUSES),
  progress: z.number().min(0).max(1),
  count: z.number().int(),
  intensity: intensitySchema,
  seed: z.string(),
  error: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  expiresAt: z.string(),
  sources: z.array(uploadInfoSchema),
  outputs: z.array(outputViewSchema),
  webhook: webhookViewSchema.optional(),
  ...batchSettingsViewSchema.shape,
  ...jobPlacementFields,
});
export type JobView = z.infer<typeof jobViewSchema>;
export type OutputView = z.infer<typeof outputViewSchema>;
export type DistinctnessView = NonNullable<OutputView['distinctness']>;
export type EffectView = OutputView['effects'][number];
export type JobStatus = JobView['status'];
export type OutputStatus = OutputView['status'];

/**
 * The `change` event of a job's stream: the job's own fields that move, and only the outputs that
 * changed since the previous event, each whole. `error: null` means the job has no error any more.
 */
export const jobChangeSchema = z.object({
  id: z.string(),
  status: jobViewSchema.shape.status,
  progress: z.number().min(0).max(1),
  updatedAt: z.string(),
  error: z.string().nullable(),
  outputs: z.array(outputViewSchema),
});
export type JobChange = z.infer<typeof jobChangeSchema>;

export const apiTokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revoked: z.boolean(),
});
export const newApiTokenSchema = apiTokenSchema.extend({
  token: z.string().describe('The secret: send it as `Authorization: Bearer <token>`. Shown only now.'),
});
export const tokenListSchema = z.object({ tokens: z.array(apiTokenSchema) });
export type ApiTokenView = z.infer<typeof apiTokenSchema>;
export type NewApiTokenView = z.infer<typeof newApiTokenSchema>;

export const jobListSchema = z.object({ jobs: z.array(jobViewSchema) });

export const jobParamsSchema = z.object({ id: idSchema });
export const downloadQuerySchema = z.object({
  outputs: z
    .string()
    .max(64 * 1024)
    .optional()
    .describe('Only these outputs: ids separated by commas (the web app\'s "Download selected").'),
  source: idSchema.optional().describe("Only this source's outputs (its folder of the ZIP)."),
});
export const outputParamsSchema = z.object({ id: idSchema, outputId: idSchema });
export const sourceParamsSchema = z.object({ id: idSchema, sourceId: idSchema });

export const healthSchema = z.object({
  status: z.enum(['ok', 'draining']),
  version: z.string(),
  activeJobs: z.number().int(),
  queuedJobs: z.number().int(),
  disk: z.object({ freeBytes: z.number(), totalBytes: z.number() }),
});

export const compareBodySchema = z.object({
  a: idSchema.describe('Upload id of the first video (the query, e.g. your own ad).'),
  b: idSchema.describe('Upload id of the second video (the compared one, e.g. a suspected copy).'),
});

export const comparisonSchema = z
  .object({
    match: z.boolean().describe('vPDQ would treat B as the same video as A.'),
    verdict: z.enum(['match', 'distinct', 'not_measurable']),
    queryMatchedPercent: z.number().describe("Share of A's frames with a frame of B within 31 bits, 0–100."),
    comparedMatchedPercent: z
      .number()
      .describe("Share of B's frames with a frame of A within 31 bits, 0–100: a match needs 80."),
    nearestBits: z
      .number()
      .nullable()
      .describe(
        "Median over B's frames of the bits (of 256) to the nearest frame of A; null when not measurable.",
      ),
    queryFramesHashed: z.number().int(),
    queryFrames: z.number().int().describe("A's frames with enough detail to count (PDQ quality ≥ 50)."),
    comparedFramesHashed: z.number().int(),
    comparedFrames: z.number().int(),
  })
  .describe("Meta's open video matcher (vPDQ) on two videos, every frame hashed.");

/** Readable one-line summary of zod issues: `count: Too big: expected number to be <=50`. */
export function describeIssues(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
): string {
  return issues
    .map((issue) => {
      const where = issue.path.map(String).join('.');
      return where ? `${where}: ${issue.message}` : issue.message;
    })
    .join('; ');
}
