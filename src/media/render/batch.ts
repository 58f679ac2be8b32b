import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isUserError } from '../../errors.js';
import { mapPool } from '../../lib/map-pool.js';
import { admitMedia } from '../admission/admission.js';
import type { ScheduledCommand } from '../ffmpeg/command-line.js';
import { createProcessSlots } from '../ffmpeg/process-slots.js';
import { ffmpegVersion } from '../ffmpeg/version.js';
import {
  ffmpegChangeNote,
  MANIFEST_VERSION,
  type Manifest,
  type ManifestOutput,
  manifestOutput,
  manifestSource,
  outputFileName,
  uniqueStems,
} from '../manifest.js';
import type { EngineOptions } from '../options.js';
import { DEFAULT_FORMATS, type Layout } from '../plan/placement.js';
import type { PlacementChoice } from '../plan/placement-request.js';
import { planJob, redrawPlanner } from '../plan/planner.js';
import type { Intensity, MediaInfo } from '../types.js';
import { sourceWarnings } from '../verify/platform-checks.js';
import type { LoudnessTarget } from './loudness-filters.js';
import { placementRecord } from './placement-record.js';
import { renderCommands, renderVariations } from './render.js';
import { deliveredIds, type RenderResult, type RenderTarget } from './render-types.js';
import { sourceLoudnessTarget } from './source-loudness.js';

/**
 * A whole batch without a server: admit every input, plan every output from one seed, render them
 * into DIR/<stem>/<stem>-vNN.mp4 and write DIR/manifest.json. This is what `vidvar make` runs.
 */
export interface BatchRequest {
  inputs: string[];
  count: number;
  intensity: Intensity;
  seed: string;
  /** Recorded in the manifest. */
  name?: string;
  /** Families and effects left out, and Protect text and logos (on when absent): see effect-choice.ts. */
  exclude?: string[];
  protectText?: boolean;
  outDir: string;
  /** Inputs in progress at once; 0 = all (their FFmpeg processes share the cores either way). */
  concurrency: number;
  options: EngineOptions;
  toolVersion: string;
  signal?: AbortSignal;
  onEvent?: (event: BatchEvent) => void;
  /** Placements, fill, platform and loudness of every output (default: the source's shape, levels as they are). */
  choice?: PlacementChoice;
}

export type BatchEvent =
  | { type: 'refused'; input: string; code: string; message: string }
  | { type: 'admitted'; input: string; media: MediaInfo }
  /** The source cannot meet a limit of the chosen platform, whatever vidvar does (it still renders). */
  | { type: 'warning'; input: string; message: string }
  | { type: 'progress'; done: number; total: number; fraction: number }
  | { type: 'output'; input: string; file: string; result: RenderResult }
  /** The folder's previous manifest is this plan made with another FFmpeg build. */
  | { type: 'ffmpeg-changed'; note: string };

export interface BatchSourcePlan {
  input: string;
  stem: string;
  media: MediaInfo;
  targets: RenderTarget[];
  /** How placements of another shape than the source's are filled. */
  layout?: Layout;
  /** The loudness its outputs are brought to, from its measured level. */
  loudness?: LoudnessTarget;
}

export interface BatchResult {
  manifest: Manifest;
  refused: number;
  failed: number;
}

/** Admission and planning only: what a run would render, and the exact FFmpeg argv for it. */
export async function prepareBatch(req: BatchRequest): Promise<BatchSourcePlan[]> {
  const admitted: Array<{ input: string; media: MediaInfo }> = [];
  for (const input of req.inputs) {
    try {
      const media = await admitMedia(input, path.basename(input), req.options, req.signal);
      admitted.push({ input, media });
      req.onEvent?.({ type: 'admitted', input, media });
      const platform = req.choice?.platform;
      for (const message of platform ? sourceWarnings(platform, media) : [])
        req.onEvent?.({ type: 'warning', input, message });
    } catch (error) {
      if (!isUserError(error)) throw error;
      req.onEvent?.({ type: 'refused', input, code: error.code, message: error.message });
    }
  }
  const plans = planJob({
    seed: req.seed,
    intensity: req.intensity,
    count: req.count,
    sources: admitted.map((a) => a.media),
    preset: req.options.preset,
    exclude: req.exclude,
    protectText: req.protectText,
  });
  const stems = uniqueStems(admitted.map((a) => path.basename(a.input)));
  const workDir = batchWorkDir(req.outDir);
  const loudness = await mapPool(admitted, 1, (source) =>
    sourceLoudnessTarget({
      file: source.input,
      media: source.media,
      targetLufs: req.choice?.loudnessLufs ?? null,
      platform: req.choice?.platform ?? null,
      options: req.options,
      signal: req.signal,
    }),
  );
  return admitted.map((source, s) => {
    const stem = stems[s] as string;
    const targets = (plans[s] ?? []).map((plan): RenderTarget => {
      const file = outputFileName(stem, plan.index, req.count);
      const target = {
        outputId: `${stem}/${file}`,
        plan,
        workPath: path.join(workDir, `${s}-${file}`),
        finalPath: path.join(req.outDir, stem, file),
      };
      const formats = req.choice?.placements.formats ?? DEFAULT_FORMATS;
      if (formats.length === 1 && formats[0] === 'source') return target;
      const placements = formats.map((format) => {
        const name = outputFileName(stem, plan.index, req.count, format);
        return {
          outputId: `${stem}/${name}`,
          format,
          workPath: path.join(workDir, `${s}-${name}`),
          finalPath: path.join(req.outDir, stem, name),
        };
      });
      return { ...target, placements };
    });
    const layout = req.choice ? { layout: req.choice.placements.layout } : {};
    const level = loudness[s] ? { loudness: loudness[s] } : {};
    return { input: source.input, stem, media: source.media, targets, ...layout, ...level };
  });
}

/**
 * The render commands a batch runs, in start order: the argv after `ffmpeg` and the runner's fixed
 * flags. `finalNames`: outputs written straight to their final paths (see renderCommands).
 */
export function batchCommands(
  sources: BatchSourcePlan[],
  options: EngineOptions,
  opts: { finalNames?: boolean } = {},
): ScheduledCommand[] {
  return sources.flatMap((source) =>
    renderCommands(
      {
        inputPath: source.input,
        media: source.media,
        targets: source.targets,
        options,
        layout: source.layout,
        loudness: source.loudness,
      },
      opts,
    ),
  );
}

/** Where a batch keeps its scratch files (fingerprints, outputs before their checks): deleted at the end. */
export function batchWorkDir(outDir: string): string {
  return path.join(outDir, '.vidvar-work');
}

export async function runBatch(req: BatchRequest, sources: BatchSourcePlan[]): Promise<BatchResult> {
  const total = sources.reduce((n, s) => n + s.targets.flatMap(deliveredIds).length, 0);
  const progress = new Map<string, number>();
  const outputs = new Map<string, ManifestOutput>();
  let failed = 0;
  const emitProgress = () => {
    const sum = [...progress.values()].reduce((a, b) => a + b, 0);
    req.onEvent?.({ type: 'progress', done: outputs.size, total, fraction: total ? sum / total : 1 });
  };
  const ffmpeg = await ffmpegVersion(req.options);
  const manifestPath = path.join(req.outDir, 'manifest.json');
  const plan = {
    seed: req.seed,
    intensity: req.intensity,
    count: req.count,
    exclude: req.exclude ?? [],
    protectText: req.protectText ?? true,
  };
  const note = ffmpegChangeNote(await readJson(manifestPath), { ...plan, ffmpeg });
  if (note) req.onEvent?.({ type: 'ffmpeg-changed', note });
  const workDir = batchWorkDir(req.outDir);
  await mkdir(workDir, { recursive: true });
  try {
    // All inputs share the machine's process slots, so the next input starts as cores free up.
    const slots = createProcessSlots(req.options.cpus);
    const order = new Map(sources.map((s, i) => [s, i]));
    await mapPool(
      sources,
      req.concurrency || sources.length,
      async (source) => {
        await mkdir(path.join(req.outDir, source.stem), { recursive: true });
        await renderVariations({
          inputPath: source.input,
          media: source.media,
          targets: source.targets,
          options: req.options,
          ...(source.layout ? { layout: source.layout } : {}),
          ...(source.loudness ? { loudness: source.loudness } : {}),
          signal: req.signal,
          slots,
          ticket: [order.get(source) ?? 0],
          replan: redrawPlanner({
            ...req,
            preset: req.options.preset,
            media: source.media,
            sourceIndex: order.get(source) ?? 0,
          }),
          onProgress: (id, fraction) => {
            progress.set(id, fraction);
            emitProgress();
          },
          onOutput: (result) => {
            const target = placementOf(source.targets, result.outputId);
            const file = path.relative(req.outDir, target.finalPath).split(path.sep).join('/');
            if (!result.ok) failed++;
            progress.set(result.outputId, 1);
            const sourceName = path.basename(source.input);
            outputs.set(
              result.outputId,
              manifestOutput(
                sourceName,
                file,
                result.ok ? result.plan : target.plan,
                result.ok ? result : null,
                req.choice ? placementRecord(req.choice, target.format, result, source.media) : undefined,
              ),
            );
            req.onEvent?.({ type: 'output', input: source.input, file, result });
            emitProgress();
          },
        });
      },
      req.signal,
    );
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  const ordered = sources
    .flatMap((s) => s.targets.flatMap(deliveredIds).map((id) => outputs.get(id)))
    .filter((o) => o !== undefined);
  const manifest: Manifest = {
    manifestVersion: MANIFEST_VERSION,
    tool: { name: 'vidvar', version: req.toolVersion, ffmpeg },
    createdAt: new Date().toISOString(),
    seed: req.seed,
    intensity: req.intensity,
    count: req.count,
    ...(req.name ? { name: req.name } : {}),
    exclude: req.exclude ?? [],
    protectText: req.protectText ?? true,
    sources: sources.map((s) => manifestSource(path.basename(s.input), s.media)),
    outputs: ordered,
    ...(note ? { notes: [note] } : {}),
  };
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return { manifest, refused: req.inputs.length - sources.length, failed };
}

/** The output an id names: a placement of a target, or a target delivered in its source's shape. */
function placementOf(targets: RenderTarget[], outputId: string) {
  for (const target of targets) {
    if (target.outputId === outputId && !target.placements) return { ...target, format: 'source' as const };
    const placement = target.placements?.find((p) => p.outputId === outputId);
    if (placement) return { ...placement, plan: target.plan };
  }
  throw new Error(`no output ${outputId}`);
}

/** A JSON file's value, or null when there is none to read (first run into a folder, or not JSON). */
async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    if (error instanceof SyntaxError || (error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
