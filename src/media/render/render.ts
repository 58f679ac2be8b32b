import { rm } from 'node:fs/promises';
import { mapPool } from '../../lib/map-pool.js';
import type { ScheduledCommand } from '../ffmpeg/command-line.js';
import { createProcessSlots } from '../ffmpeg/process-slots.js';
import { runFfmpeg } from '../ffmpeg/runner.js';
import { outputGeometry } from '../plan/output-format.js';
import { expectedDuration } from '../plan/planner.js';
import { createInOrderFinish } from './finish-in-order.js';
import { isAbort, scratch } from './render-checks.js';
import { buildRenderCommand } from './render-command.js';
import { estimateRenderCost } from './render-cost.js';
import { groupTargets, planStrategy, type RenderStrategy } from './render-strategy.js';
import type { RenderRequest, RenderResult, RenderTarget } from './render-types.js';

/**
 * Renders planned variations of one source: each into its work path, then checked, measured and
 * renamed into its final path — so a file at a final path is always complete and valid. Used alike
 * by the CLI and by the server's worker.
 */
export async function renderVariations(req: RenderRequest): Promise<RenderResult[]> {
  if (req.targets.length === 0) return [];
  const { strategy, groups } = planGroups(req);
  const sourceScratch = sourceScratchPath(req.targets);
  const slots = req.slots ?? createProcessSlots(req.options.cpus);
  const finish = createInOrderFinish(req, sourceScratch);
  let crashed = false;
  const stopped = () => crashed || req.shouldStop?.() === true || req.signal?.aborted === true;
  try {
    // Every group is handed out at once and waits for its process slot: the slots (shared by every
    // source and job) are what bounds the processes, and they serve tickets strictly in order, so this
    // source keeps its turn and processes start in the order --print-commands prints.
    const renderInTurn = async (group: RenderTarget[], index: number) => {
      const release = await slots.acquire(strategy.slotsPerProcess, [...(req.ticket ?? []), index]);
      try {
        // Asked once the slot is ours: a deploy may have begun while this group waited.
        return stopped()
          ? null
          : await renderWithRetries(req, group, groupJob(strategy, index, sourceScratch));
      } finally {
        release();
      }
    };
    await mapPool(groups, groups.length, async (group, index) => {
      try {
        const failures = await renderInTurn(group, index);
        if (failures) await finish.groupEnded(group, index, failures);
      } catch (error) {
        crashed = true; // the groups still waiting for a slot start nothing
        throw error;
      }
    });
    return await finish.rest();
  } finally {
    // Reached only once every group has ended (a cancel stops all their processes).
    const files = req.targets.flatMap((t) => [t.workPath, ...Object.values(scratch(t))]);
    await Promise.all([...files, sourceScratch].map((f) => rm(f, { force: true })));
  }
}

/** Renders a group; when a fan-out fails, each output alone, so one bad output cannot fail its siblings. */
async function renderWithRetries(
  req: RenderRequest,
  group: RenderTarget[],
  job: GroupJob,
): Promise<Map<string, string>> {
  const failures = new Map<string, string>();
  const outcome = await renderGroup(req, group, job);
  if (outcome === true) return failures;
  if (group.length === 1) return failures.set((group[0] as RenderTarget).outputId, outcome);
  for (const target of group) {
    const single = await renderGroup(req, [target], job);
    if (single !== true) failures.set(target.outputId, single);
  }
  return failures;
}

type CommandRequest = Pick<RenderRequest, 'inputPath' | 'media' | 'targets' | 'options'>;
interface GroupJob {
  strategy: RenderStrategy;
  /** Only the first group writes the source's fingerprint. */
  sourceScratch: string | undefined;
}

function groupJob(strategy: RenderStrategy, index: number, sourceScratch: string): GroupJob {
  return { strategy, sourceScratch: index === 0 ? sourceScratch : undefined };
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
    args: groupCommand(req, group, groupJob(strategy, index, sourceScratch), opts.finalNames === true),
    slots: strategy.slotsPerProcess,
  }));
}

/** The strategy for this source and its targets grouped into processes of equal estimated work. */
function planGroups(req: CommandRequest): { strategy: RenderStrategy; groups: RenderTarget[][] } {
  const strategy = planStrategy(req.media, req.targets.length, req.options);
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
    })),
    options: req.options,
    decodeThreads: job.strategy.decodeThreads,
    ...(job.sourceScratch ? { sourceFingerprintPath: job.sourceScratch } : {}),
  });
}

/** Runs one FFmpeg process for the group: true, or why FFmpeg failed (the caller decides what next). */
async function renderGroup(req: RenderRequest, group: RenderTarget[], job: GroupJob) {
  const args = groupCommand(req, group, job);
  const durationSec = Math.max(...group.map((t) => expectedDuration(req.media, t.plan)));
  try {
    await runFfmpeg({
      args,
      durationSec,
      outputs: group.length,
      options: req.options,
      signal: req.signal,
      onProgress: (fraction) => {
        for (const t of group) req.onProgress?.(t.outputId, fraction);
      },
    });
    return true as const;
  } catch (error) {
    if (isAbort(error, req.signal)) throw error;
    await Promise.all(group.map((t) => rm(t.workPath, { force: true })));
    return error instanceof Error ? error.message : String(error);
  }
}
