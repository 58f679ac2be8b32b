import { z } from 'zod';

/** An output's distinctness as the API shows it: the record media/verify/distinctness.ts makes. */
const vpdqMeasureSchema = z.object({
  match: z.boolean().describe("Meta's open video matcher (vPDQ) would treat this output as a copy"),
  measurable: z
    .boolean()
    .describe('False when too few frames have PDQ quality ≥ 50 to judge: never read as distinct'),
  matchedPercent: z
    .number()
    .describe("Share of this output's frames within 31 bits of a frame of the other video"),
  nearestBits: z
    .number()
    .nullable()
    .describe(
      "Median over this output's frames of the bits to the nearest frame of the other video (of 256)",
    ),
});

const redrawSchema = z.object({
  label: z.string().describe('The labelled fork of the seed the next plan came from: redraw-1, redraw-2…'),
  rejectedSignature: z.string(),
  closeTo: z.enum(['source', 'sibling']),
  measure: z
    .enum(['vpdq', 'pixel'])
    .optional()
    .describe('What judged it too close: vPDQ, or the 16×16 grey measures where vPDQ cannot measure'),
  matchedPercent: z.number().describe("vPDQ's share of matching frames (0 when the pixel measures judged)"),
  nearestBits: z.number().nullable(),
  pixelDifference: z
    .number()
    .optional()
    .describe('Mean grey-level difference, when the pixel measures judged'),
});

export const distinctnessSchema = z.object({
  vpdq: z.object({
    measurable: z.boolean(),
    vsSource: vpdqMeasureSchema.nullable(),
    vsNearestSibling: vpdqMeasureSchema.nullable(),
  }),
  pixel: z
    .record(z.string(), z.number())
    .describe('16×16 grey measures: what vouches for an output vPDQ cannot measure'),
  redraws: z.array(redrawSchema).describe('Plans drawn for this output and not delivered, in order'),
});
