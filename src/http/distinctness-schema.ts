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
  matchedPercent: z.number(),
  nearestBits: z.number().nullable(),
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
