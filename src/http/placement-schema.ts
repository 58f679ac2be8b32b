import { z } from 'zod';

/**
 * The placement parts of the API contract: what a job asks for (placements, fill, platform,
 * loudness) and what each output reports (its placement, measured loudness, platform checks).
 * Values are checked by the engine's own rules (one set of messages naming the allowed values, for
 * CLI and API alike), so here they are short strings.
 */
const FORMATS_TEXT = 'source, 9x16, 4x5, 1x1, 16x9';
const PLATFORMS_TEXT = 'meta, tiktok, youtube-shorts, youtube';

export const placementBodyFields = {
  formats: z
    .array(z.string().max(16))
    .max(8)
    .optional()
    .describe(
      `Placements of each variation, any of ${FORMATS_TEXT} (default: source, or the platform's own).`,
    ),
  fit: z
    .string()
    .max(16)
    .optional()
    .describe('crop | blur | pad: how a picture of another shape fills a placement.'),
  padColour: z
    .string()
    .max(32)
    .optional()
    .describe('With fit pad: #RRGGBB or a colour name (default black).'),
  platform: z
    .string()
    .max(32)
    .optional()
    .describe(
      `One of ${PLATFORMS_TEXT}: its placements, −14 LUFS loudness, checks against its published limits.`,
    ),
  loudness: z
    .union([z.number(), z.string().max(16)])
    .optional()
    .describe('Integrated loudness in LUFS (−40 to −5), or "off" (default off; −14 with a platform).'),
};

/** Multipart fields are text: formats comma-separated. */
export const placementFormFields = {
  formats: z.string().max(128).optional(),
  fit: z.string().max(16).optional(),
  padColour: z.string().max(32).optional(),
  platform: z.string().max(32).optional(),
  loudness: z.string().max(16).optional(),
};

export const PLACEMENT_FIELD_NAMES = Object.keys(placementFormFields);

const checkSchema = z.object({
  check: z
    .string()
    .describe('duration, file-size, resolution, bit-rate, codecs, aspect-ratio, loudness or true-peak'),
  ok: z.boolean(),
  value: z.union([z.number(), z.string()]).describe("The output's own value."),
  unit: z.string(),
  limit: z.string().describe("The platform's published limit it was held to."),
});
export type PlatformCheckView = z.infer<typeof checkSchema>;

export const outputPlacementFields = {
  format: z.string().optional().describe('The placement: source, 9x16, 4x5, 1x1 or 16x9.'),
  fit: z.string().optional(),
  platform: z.string().nullable().optional(),
  loudness: z
    .object({ integratedLufs: z.number(), truePeakDb: z.number() })
    .nullable()
    .optional()
    .describe('Measured EBU R128 loudness of the output, when a loudness target was set.'),
  checks: z.array(checkSchema).optional(),
};

export const jobPlacementFields = {
  placement: z
    .object({
      formats: z.array(z.string()),
      fit: z.string(),
      padColour: z.string(),
      platform: z.string().nullable(),
      loudness: z.number().nullable().describe('Target integrated loudness, LUFS; null: off.'),
    })
    .optional(),
  warnings: z
    .array(z.object({ sourceId: z.string(), message: z.string() }))
    .optional()
    .describe('Limits of the chosen platform a source cannot meet, known before rendering starts.'),
};
