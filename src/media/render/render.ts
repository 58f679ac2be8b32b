import { rm } from 'node:fs/promises';
import { mapPool } from '../../lib/map-pool.js';
import type { ScheduledCommand } from '../ffmpeg/command-line.js';
import { createProcessSlots, type ProcessSlots } from '../ffmpeg/process-slots.js';
import { runFfmpeg } from '../ffmpeg/runner.js';
import { outputGeometry } from '../plan/output-format.js';
import { expectedDuration } from '../plan/planner.js';
import { createInOrderFinish } from './finish-in-order.js';
import { type GroupHashes, type GroupSinks, openGroupSinks } from './hash-sinks.js';
import { nextRound } from './redraw.js';
import {
  createFinishState,
  type FinishState,
  isAbort,
  placementThumbnail,
  scratch,
} from './render-checks.js';
import { buildRenderCommand } from './render-command.js';
import { estimateRenderCost } from './render-cost.js';
import { groupTargets, planStrategy, type RenderStrategy } from './render-strategy.js';
import { deliveredIds, type RenderRequest, type RenderResult, type RenderTarget } from './render-types.js';

/**
 * Renders planned variations of one source: each into its work path, then checked, measured and
 * renamed into its final path — so a file at a final path is always complete and valid. Used alike
 * by the CLI and by the server's worker.
 */
export async function renderVariations(req: RenderRequest): Promise<RenderResult[]> {
  if (req.targets.length === 0) return [];
  const sourceScratch = sourceScratchPath(req.targets);
  const slots = req.slots ?? createProcessSlots(req.options.cpus);
  const state = createFinishState();
  const results = new Map<string, RenderResult>();
  try {
    let round = req.targets;
    for (let tries = 1; round.length > 0; tries++) {
      const ended = await renderRound(req, round, slots, state, tries === 1 ? sourceScratch : undefined);
      const redraw = nextRound(req, round, ended, tries, state);
      for (const result of redraw.settled) results.set(result.outputId, result);
      round = redraw.targets;
    }
    return req.targets.flatMap((t) => deliveredIds(t).flatMap((id) => results.get(id) ?? []));
  } finally {
    // Reached only once every group has ended (a cancel stops all their processes).
    const files = req.targets.flatMap((t) => [
      t.workPath,
      ...Object.values(scratch(t)),
      ...placementFiles(t),
    ]);
    await Promise.all([...files, sourceScratch].map((f) => rm(f, { force: true })));
  }
}

/** One pass over targets: grouped into processes that wait for their slots, finished in order. */
async function renderRound(
  req: RenderRequest,
  targets: RenderTarget[],
  slots: ProcessSlots,
  state: FinishState,
  sourceScratch: string | undefined,
): Promise<RenderResult[]> {
  const { strategy, groups } = planGroups({ ...req, targets });
  const finish = createInOrderFinish(req, targets, sourceScratch, state);
  let crashed = false;
  const stopped = () => crashed || req.shouldStop?.() === true || req.signal?.aborted === true;
  // Every group is handed out at once and waits for its process slot: the slots (shared by every
  // source and job) are what bounds the processes, and they serve tickets strictly in order, so this
  // source keeps its turn and processes start in the order --print-commands prints.
  const renderInTurn = async (group: RenderTarget[], index: number) => {
    const release = await slots.acquire(strategy.slotsPerProcess, [...(req.ticket ?? []), index]);
    try {
      // Asked once the slot is ours: a deploy may have begun while this group waited.
      const job = { strategy, sourceScratch: index === 0 ? sourceScratch : undefined };
      return stopped() ? null : await renderWithRetries(req, group, job);
    } finally {
      release();
    }
  };
  await mapPool(groups, groups.length, async (group, index) => {
    try {
      const ended = await renderInTurn(group, index);
      if (ended) await finish.groupEnded(group, index, ended.failures, ended.hashes);
    } catch (error) {
      crashed = true; // the groups still waiting for a slot start nothing
      throw error;
    }
  });
  return await finish.rest();
}

interface GroupEnd {
  failures: Map<string, string>;
  hashes: GroupHashes | null;
}

/** Renders a group; when a fan-out fails, each output alone, so one bad output cannot fail its siblings. */
async function renderWithRetries(
  req: RenderRequest,
  group: RenderTarget[],
  job: GroupJob,
): Promise<GroupEnd> {
  const failures = new Map<string, string>();
  const outcome = await renderGroup(req, group, job);
  if (typeof outcome !== 'string') return { failures, hashes: outcome };
  if (group.length === 1)
    return { failures: failures.set((group[0] as RenderTarget).outputId, outcome), hashes: null };
  const hashes: GroupHashes = { outputs: new Map(), source: null };
  for (const target of group) {
    const single = await renderGroup(req, [target], job);
    if (typeof single === 'string') failures.set(target.outputId, single);
    else {
      for (const [id, h] of single.outputs) hashes.outputs.set(id, h);
      hashes.source ??= single.source;
    }
  }
  return { failures, hashes };
}

type CommandRequest = Pick<
  RenderRequest,
  'inputPath' | 'media' | 'targets' | 'options' | 'layout' | 'loudness'
>;

/** A target's placement files while they render: outputs and thumbnails before their checks. */
function placementFiles(target: RenderTarget): string[] {
  return (target.placements ?? []).flatMap((p) => [p.workPath, placementThumbnail(p)]);
}
interface GroupJob {
  strategy: RenderStrategy;
  /** Only the first group of the first round writes the source's fingerprint and hashes. */
  sourceScratch: string | undefined;
}

/**
 * The FFmpeg commands of a render when nothing fails, in start order (what `--print-commands` shows).
 * `finalNames`: each output written straight to its final path, as a script with no checks to pass
 * before a rename must; the bytes are the same.
 */
export function renderCommands(req: CommandRequest, opts: { finalNames?: boolean } = {}): ScheduledCommand[] {
  const { strategy, groups } = planGroups(req);
  const sourceScratch = sourceScratchPath(req.targets);
  return groups.map((group, index) => ({
    // No hash branches: a script has no socket to send frames to, and they never change the bytes.
    args: groupCommand(
      req,
      group,
      { strategy, sourceScratch: index === 0 ? sourceScratch : undefined },
      null,
      opts.finalNames === true,
    ),
    slots: strategy.slotsPerProcess,
  }));
}

/** The strategy for this source and its targets grouped into processes of equal estimated work. */
function planGroups(req: CommandRequest): { strategy: RenderStrategy; groups: RenderTarget[][] } {
  const encoders = Math.max(1, ...req.targets.map((t) => t.placements?.length ?? 1));
  const strategy = planStrategy(req.media, req.targets.length, req.options, encoders);
  const { width, height } = outputGeometry(req.media, req.options.maxLongSide);
  const cost = (t: RenderTarget) => estimateRenderCost(req.media, t.plan, width * height);
  return { strategy, groups: groupTargets(req.targets, strategy, cost) };
}

function sourceScratchPath(targets: RenderTarget[]): string {
  return `${targets[0]?.workPath}.source.fp`;
}

function groupCommand(
  req: CommandRequest,
  group: RenderTarget[],
  job: GroupJob,
  sinks: Pick<GroupSinks, 'targets' | 'source'> | null,
  finalNames = false,
): string[] {
  return buildRenderCommand({
    inputPath: req.inputPath,
    media: req.media,
    targets: group.map((t) => ({
      plan: t.plan,
      outPath: finalNames ? t.finalPath : t.workPath,
      fingerprintPath: scratch(t).fingerprintPath,
      ...(t.thumbnailPath ? { thumbnailPath: scratch(t).thumbnailPath } : {}),
      ...(sinks?.targets.has(t.outputId) ? { hashTarget: sinks.targets.get(t.outputId) } : {}),
      ...(t.placements
        ? {
            placements: t.placements.map((p) => ({
              format: p.format,
              outPath: finalNames ? p.finalPath : p.workPath,
              ...(p.thumbnailPath
                ? { thumbnailPath: finalNames ? p.thumbnailPath : placementThumbnail(p) }
                : {}),
            })),
          }
        : {}),
    })),
    ...(req.layout ? { layout: req.layout } : {}),
    ...(req.loudness ? { loudness: req.loudness } : {}),
    options: req.options,
    decodeThreads: job.strategy.decodeThreads,
    ...(job.sourceScratch ? { sourceFingerprintPath: job.sourceScratch } : {}),
    ...(sinks?.source ? { sourceHashTarget: sinks.source } : {}),
  });
}

/** Runs one FFmpeg process for the group: its frame hashes, or why FFmpeg failed (the caller decides what next). */
async function renderGroup(
  req: RenderRequest,
  group: RenderTarget[],
  job: GroupJob,
): Promise<GroupHashes | string> {
  const sinks = await openGroupSinks(
    req.media,
    req.options.maxLongSide,
    group,
    job.sourceScratch !== undefined,
  );
  const args = groupCommand(req, group, job, sinks);
  const durationSec = Math.max(...group.map((t) => expectedDuration(req.media, t.plan)));
  try {
    await runFfmpeg({
      args,
      durationSec,
      outputs: group.reduce((n, t) => n + (t.placements?.length ?? 1), 0),
      options: req.options,
      signal: req.signal,
      onProgress: (fraction) => {
        for (const id of group.flatMap(deliveredIds)) req.onProgress?.(id, fraction);
      },
    });
    return await sinks.collect();
  } catch (error) {
    if (isAbort(error, req.signal)) throw error;
    await Promise.all(
      group.flatMap((t) => [t.workPath, ...placementFiles(t)]).map((f) => rm(f, { force: true })),
    );
    return error instanceof Error ? error.message : String(error);
  } finally {
    await sinks.close();
  }
}
