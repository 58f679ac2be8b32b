import { z } from 'zod';
import { batchNameProblem, MAX_BATCH_NAME_LENGTH } from '../batch-name.js';

/**
 * The batch settings of POST /api/jobs beyond count and intensity: a name, and which effects the
 * plans may use. Which names `exclude` accepts is the engine's to say: the job service checks them
 * (the browser bundle takes these types only, never the engine).
 */
const EXCLUDE_MAX = 40;

export const batchNameSchema = z
  .string()
  .superRefine((name, ctx) => {
    const problem = batchNameProblem(name);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .transform((name) => name.trim())
  .describe(
    'What to call the batch: shown in the app, searched by ?q=, and the ZIP name. Default: first file and day.',
  );

const excludeNameSchema = z.string().min(1).max(40);

export const batchSettingsSchema = z.object({
  name: batchNameSchema.optional(),
  exclude: z
    .array(excludeNameSchema)
    .max(EXCLUDE_MAX)
    .optional()
    .describe(
      'Effect families (framing, colour, texture, timing, audio) or effects (mirror, pitch…) to leave out.',
    ),
  protectText: z
    .boolean()
    .optional()
    .describe('Protect text and logos (default true): no mirror, reframing only inside a 5 % safe margin.'),
});

/** The same as multipart text fields: `exclude=mirror,pitch`, `protectText=false`. */
export const batchSettingsFields = z.object({
  name: batchNameSchema.optional(),
  exclude: z
    .string()
    .max(EXCLUDE_MAX * 41)
    .transform((text) =>
      text
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0),
    )
    .pipe(z.array(excludeNameSchema).max(EXCLUDE_MAX))
    .optional(),
  protectText: z
    .enum(['true', 'false'], { message: 'must be true or false' })
    .transform((value) => value === 'true')
    .optional(),
});

export const batchSettingsViewSchema = z.object({
  name: z.string().describe('The batch name; empty for batches made before names existed.'),
  exclude: z.array(z.string()),
  protectText: z.boolean(),
});

export const jobListQuerySchema = z.object({
  q: z
    .string()
    .max(MAX_BATCH_NAME_LENGTH)
    .optional()
    .describe('Only batches whose name or a file name contains this text, in any case.'),
});
