import { effectById, effectOrder } from '../effects/catalog.js';
import { pictureFilters } from '../effects/point-ops.js';
import type { FilterContext } from '../effects/types.js';
import { inputArgs } from '../ffmpeg/demuxers.js';
import type { EngineOptions } from '../options.js';
import { videoRateCap } from '../plan/encode-settings.js';
import { outputGeometry } from '../plan/output-format.js';
import { DEFAULT_LAYOUT, type FormatName, formatGeometry, type Layout } from '../plan/placement.js';
import { expectedDuration, variationFps } from '../plan/planner.js';
import type { MediaInfo, PlannedEffect, VariationPlan } from '../types.js';
import { fingerprintFilters, fingerprintOutputArgs } from '../verify/fingerprint.js';
import { hashBranchFilters, hashOutputArgs } from '../verify/frame-hash-command.js';
import { LOUDNESS_FILTERS, type LoudnessTarget, loudnessFilters } from './loudness-filters.js';
import { PLACEMENT_FILTERS, placementsGraph } from './placement-graph.js';
import { branchSideOutputs, type SideOutputs, sideOutputArgs } from './side-outputs.js';
import { colourTagArgs, TONE_MAP_FILTERS, toneMapFilters } from './tone-map.js';

export interface RenderCommandTarget extends SideOutputs {
  plan: VariationPlan;
  outPath: string;
  /**
   * The placements this variation is written in, each its own file (outPath and thumbnailPath then
   * unused). Absent: one output in the source's own shape at outPath, as vidvar always made.
   */
  placements?: PlacementFile[];
}

export interface PlacementFile {
  format: FormatName;
  outPath: string;
  thumbnailPath?: string;
}

export interface RenderCommandRequest {
  inputPath: string;
  media: MediaInfo;
  /** One target: a plain single-output command. Several: decode once, `split`, one output each. */
  targets: RenderCommandTarget[];
  options: EngineOptions;
  /** `-threads` of the decoder and the filter graph (the strategy shares the cores among processes). */
  decodeThreads: number;
  /** Also write the source's fingerprint, from the frames decoded for the variations. */
  sourceFingerprintPath?: string;
  /** Also send every decoded frame of the source, before any effect, to be PDQ-hashed (a frame sink's URL). */
  sourceHashTarget?: string;
  /** How placements of another shape than the source's are filled (default: crop). */
  layout?: Layout;
  /** Bring every output to this loudness (absent: the sound keeps the level its effects give it). */
  loudness?: LoudnessTarget;
}

/** The filters this module writes itself, whatever the plan (the effects declare theirs). */
export const RENDER_COMMAND_FILTERS: readonly string[] = [
  ...['scale', 'format', 'setsar', 'split', 'fps', 'tpad'],
  ...['aformat', 'asplit', 'anull', 'amix'],
  ...TONE_MAP_FILTERS,
  ...PLACEMENT_FILTERS,
  ...LOUDNESS_FILTERS,
];

/** Frames the last picture may be repeated for, at most, to reach the planned duration (cut by `-t`). */
const END_PAD_FRAMES = 3;

/** Every output's audio: AAC needs a fixed layout, and pitch shifting needs a known rate. */
const OUTPUT_SAMPLE_RATE = 48_000;

/**
 * The FFmpeg arguments that render one or more variations of one source, as pure data: no program
 * name and none of the runner's fixed flags (`-nostdin -hide_banner -nostats -loglevel … -progress`).
 * The same request always yields the same array, and FFmpeg then writes the same bytes.
 */
export function buildRenderCommand(req: RenderCommandRequest): string[] {
  const { media, targets, options } = req;
  if (targets.length === 0) throw new Error('a render command needs at least one target');
  const geometry = outputGeometry(media, options.maxLongSide);
  const ctx: FilterContext = {
    width: geometry.width,
    height: geometry.height,
    fps: geometry.fps,
    durationSec: media.durationSec,
    sampleRate: OUTPUT_SAMPLE_RATE,
  };
  const threads = String(req.decodeThreads);
  const graph = [...videoGraph(req, ctx), ...(media.audio ? audioGraph(req, ctx) : [])];
  const args = ['-y', '-threads', threads, ...inputArgs(req.inputPath, media.demuxer)];
  args.push('-filter_complex_threads', threads, '-filter_complex', graph.join(';'));
  targets.forEach((target, i) => {
    const duration = expectedDuration(media, target.plan);
    if (!target.placements) {
      const labels = { video: `[v${i}]`, audio: `[a${i}]` };
      args.push(...outputArgs(target.plan, target.outPath, labels, req, ctx));
      args.push(...sideOutputArgs(`v${i}`, target, duration));
      return;
    }
    const single = target.placements.length === 1;
    target.placements.forEach((placement, j) => {
      const size = formatGeometry(media, placement.format, options.maxLongSide);
      const labels = { video: `[v${i}o${j}]`, audio: single ? `[a${i}]` : `[a${i}o${j}]` };
      args.push(...outputArgs(target.plan, placement.outPath, labels, req, size));
      if (placement.thumbnailPath)
        args.push(...sideOutputArgs(`v${i}o${j}`, { thumbnailPath: placement.thumbnailPath }, duration));
    });
    args.push(...sideOutputArgs(`v${i}c`, { ...target, thumbnailPath: undefined }, duration));
  });
  if (req.sourceFingerprintPath) args.push(...fingerprintOutputArgs('[sfp]', req.sourceFingerprintPath));
  if (req.sourceHashTarget) args.push(...hashOutputArgs('[sph]', req.sourceHashTarget));
  return args;
}

/**
 * Decoding, scaling to the output size and conversion to 4:2:0 happen once, before the split.
 * Then each target: timing filters, the constant-frame-rate conversion, picture filters.
 */
function videoGraph(req: RenderCommandRequest, ctx: FilterContext): string[] {
  const n = req.targets.length;
  const sdr = [`scale=${ctx.width}:${ctx.height}`, 'format=yuv420p'];
  const head = [...(toneMapFilters(req.media, ctx.width, ctx.height) ?? sdr), 'setsar=1'];
  const source = `[0:${req.media.video.index}]`;
  const shared = n > 1 || req.sourceFingerprintPath !== undefined || req.sourceHashTarget !== undefined;
  const inputs = shared ? req.targets.map((_, i) => `[vs${i}]`) : [source];
  const graph: string[] = [];
  if (shared) {
    const sides = [
      ...(req.sourceFingerprintPath ? ['[vsfp]'] : []),
      ...(req.sourceHashTarget ? ['[vsph]'] : []),
    ];
    const branches = [...inputs, ...sides];
    graph.push(`${source}${head.join(',')},split=${branches.length}${branches.join('')}`);
  }
  if (req.sourceFingerprintPath)
    graph.push(`[vsfp]${fingerprintFilters(req.media.durationSec).join(',')}[sfp]`);
  if (req.sourceHashTarget)
    graph.push(`[vsph]${hashBranchFilters(ctx.width, ctx.height, null).join(',')}[sph]`);
  req.targets.forEach((target, i) => {
    const effects = inOrder(target.plan.effects);
    const timing = effects.filter((e) => effectById(e.id).kind === 'timing');
    const picture = effects.filter((e) => effectById(e.id).kind === 'video');
    const filters = [
      ...(shared ? [] : head),
      ...timing.flatMap((e) => effectById(e.id).videoFilters?.(e.params, ctx) ?? []),
      `fps=${rateText(variationFps(req.media, effects))}`,
      // FFmpeg 5.1's setpts and trim do not carry the end-of-stream time along, so the frame-rate
      // conversion can end a frame or two early; clones of the last frame fill up to `-t` instead.
      `tpad=stop_mode=clone:stop=${END_PAD_FRAMES}`,
      ...pictureFilters(
        picture.map((e) => ({ definition: effectById(e.id), params: e.params })),
        ctx,
      ),
      // Square pixels whatever the effects did: `scale` after a crop rounded to even sizes keeps the
      // display aspect by writing a SAR such as 1081:1080, which players would honour as a stretch.
      'setsar=1',
    ];
    const duration = expectedDuration(req.media, target.plan);
    if (!target.placements) {
      const sides = branchSideOutputs(`v${i}`, target, duration, ctx);
      graph.push(`${inputs[i]}${filters.join(',')}${sides.tail}`, ...sides.graph);
      return;
    }
    // The creative (frames after the effects) feeds the distinctness measures and every placement.
    const sides = branchSideOutputs(`v${i}c`, { ...target, thumbnailPath: undefined }, duration, ctx);
    graph.push(`${inputs[i]}${filters.join(',')}${sides.tail}`, ...sides.graph);
    const placed = target.placements.map((p) => ({
      format: p.format,
      size: formatGeometry(req.media, p.format, req.options.maxLongSide),
      thumbnail: p.thumbnailPath !== undefined,
    }));
    graph.push(...placementsGraph(i, `[v${i}c]`, ctx, placed, req.layout ?? DEFAULT_LAYOUT, duration));
  });
  return graph;
}

/** Audio is resampled to 48 kHz stereo once; generated signals (noise) join through amix. */
function audioGraph(req: RenderCommandRequest, ctx: FilterContext): string[] {
  const n = req.targets.length;
  const head = `aformat=sample_rates=${ctx.sampleRate}:channel_layouts=stereo`;
  const source = `[0:${req.media.audio?.index}]`;
  const inputs = n === 1 ? [source] : req.targets.map((_, i) => `[as${i}]`);
  const graph = n === 1 ? [] : [`${source}${head},asplit=${n}${inputs.join('')}`];
  req.targets.forEach((target, i) => {
    let pending = n === 1 ? [head] : [];
    let input = inputs[i] as string;
    let mixes = 0;
    for (const effect of inOrder(target.plan.effects)) {
      const definition = effectById(effect.id);
      pending.push(...(definition.audioFilters?.(effect.params, ctx) ?? []));
      if (!definition.audioSource) continue;
      const dry = `[a${i}d${mixes}]`;
      const wet = `[a${i}w${mixes}]`;
      graph.push(
        `${input}${chain(pending, 'anull')}${dry}`,
        `${definition.audioSource(effect.params, ctx)}${wet}`,
      );
      // normalize=0: a plain sum, so the programme keeps its level and the bed stays faint.
      input = `${dry}${wet}`;
      pending = ['amix=inputs=2:duration=first:normalize=0'];
      mixes += 1;
    }
    if (req.loudness) pending.push(...loudnessFilters(req.loudness, target.plan.effects));
    const outputs = target.placements?.length ?? 1;
    const labels = Array.from({ length: outputs }, (_, j) => `[a${i}o${j}]`).join('');
    const tail = outputs > 1 ? `,asplit=${outputs}${labels}` : `[a${i}]`;
    graph.push(`${input}${chain(pending, 'anull')}${tail}`);
  });
  return graph;
}

function outputArgs(
  plan: VariationPlan,
  outPath: string,
  labels: { video: string; audio: string },
  req: RenderCommandRequest,
  size: { width: number; height: number },
) {
  const { encode } = plan;
  const fps = variationFps(req.media, plan.effects);
  const cap = videoRateCap(size.width, size.height, fps);
  const args = ['-map', labels.video];
  if (req.media.audio) args.push('-map', labels.audio);
  // In a fan-out, the end-of-stream time reaching a trimmed branch can lie past its last frame, and
  // the frame-rate conversion then repeats that frame up to it: the plan's duration is the limit.
  args.push('-t', String(expectedDuration(req.media, plan)));
  args.push(
    ...['-c:v', 'libx264', '-preset', encode.preset, '-crf', String(encode.crf), '-g', String(encode.gop)],
    ...['-maxrate', `${cap.maxrateK}k`, '-bufsize', `${cap.bufsizeK}k`, '-pix_fmt', 'yuv420p'],
    // One thread per encoder: x264's output then depends on nothing but these arguments (frame
    // threads under a VBV cap differ from run to run, slice threads with the core count).
    ...['-threads', '1', '-fps_mode', 'cfr', '-flags:v', '+bitexact'],
    ...(encode.x264Params ? ['-x264-params', encode.x264Params] : []),
    // SEI NAL units carry x264's version and option string: dropping them leaves no encoder fingerprint.
    ...['-bsf:v', 'filter_units=remove_types=6'],
    ...colourTagArgs(req.media),
  );
  if (req.media.audio) {
    args.push(
      '-c:a',
      'aac',
      '-b:a',
      `${encode.audioBitrateK}k`,
      '-ar',
      String(OUTPUT_SAMPLE_RATE),
      '-ac',
      '2',
    );
    // At 96 kb/s and up the fast coder sounds as good as twoloop (FFmpeg 5.1's default) for half its CPU.
    args.push('-aac_coder', 'fast', '-flags:a', '+bitexact');
  }
  args.push(
    ...['-map_metadata', '-1', '-map_chapters', '-1', '-fflags', '+bitexact'],
    // A file: URL, so no part of the path can be read as a protocol.
    ...['-movflags', '+faststart', '-f', 'mp4', `file:${outPath}`],
  );
  return args;
}

/** NTSC rates (29.97, 23.976, 59.94) as the exact fractions players expect; others as decimals. */
export function rateText(fps: number): string {
  const nominal = Math.round(fps * 1.001);
  const isNtsc = !Number.isInteger(fps) && Math.abs(fps - (nominal * 1000) / 1001) < 0.005;
  return isNtsc ? `${nominal * 1000}/1001` : String(fps);
}

function inOrder(effects: readonly PlannedEffect[]): PlannedEffect[] {
  return [...effects].sort((a, b) => effectOrder(a.id) - effectOrder(b.id));
}

function chain(filters: string[], empty: string): string {
  return filters.length > 0 ? filters.join(',') : empty;
}
