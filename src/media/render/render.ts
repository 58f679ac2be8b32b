import { rm } from 'node:fs/promises';
import type { ScheduledCommand } from '../ffmpeg/command-line.js';
import { createProcessSlots } from '../ffmpeg/process-slots.js';
import { runFfmpeg } from '../ffmpeg/runner.js';
import { outputGeometry } from '../plan/output-format.js';
import { expectedDuration } from '../plan/planner.js';
import { type Fingerprint, readFingerprint } from '../verify/fingerprint.js';
import { type Checked, checkTarget, finishTarget, isAbort, scratch } from './render-checks.js';
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
  const results: RenderResult[] = [];
  const measured = new Map<string, Fingerprint>();
  const sourceScratch = sourceScratchPath(req.targets);
  let sourcePrint: Fingerprint | null = null;
  // Each group's outcome (its failures), or null when it never started.
  const rendered = groups.map(() => settleOnce<Map<string, string> | null>());
  const groupOf = new Map(groups.flatMap((group, g) => group.map((t) => [t.outputId, g] as const)));
  const outcomeOf = (g: number) => (rendered[g] as Settle<Map<string, string> | null>).promise;
  // Checked in the caller's order, each once its process is done: distinctness ("nearest sibling
  // checked before it") is then the same on every machine, whatever finished first.
  const checks = new Map<string, Promise<Checked>>();
  const checkInOrder = async () => {
    let sourceRead = false;
    for (const target of req.targets) {
      const g = groupOf.get(target.outputId) ?? 0;
      const failures = await outcomeOf(g);
      if (failures === null) continue; // never started: stays for a later run
      if (!checks.has(target.outputId)) {
        for (const t of groups[g] as RenderTarget[]) {
          const check = checkTarget(req, t, failures.get(t.outputId));
          check.catch(() => {});
          checks.set(t.outputId, check);
        }
      }
      if (!sourceRead) {
        sourceRead = true;
        // The first group writes the source's fingerprint.
        if ((await outcomeOf(0)) !== null)
          sourcePrint = await readFingerprint(sourceScratch).catch(() => null);
      }
      const checked = await (checks.get(target.outputId) as Promise<Checked>);
      const result = await finishTarget(target, checked, sourcePrint, measured);
      results.push(result);
      req.onOutput?.(result);
    }
  };
  const slots = req.slots ?? createProcessSlots(req.options.cpus);
  const ticket = (index: number) => [...(req.ticket ?? []), index];
  const stopped = () => req.shouldStop?.() === true || req.signal?.aborted === true;
  let next = 0;
  const lane = async () => {
    if (next >= groups.length || stopped()) return;
    let index = next++;
    let release = await slots.acquire(strategy.slotsPerProcess, ticket(index));
    for (;;) {
      const outcome = rendered[index] as Settle<Map<string, string> | null>;
      const group = groups[index] as RenderTarget[];
      try {
        // Asked again once a slot is ours: a deploy may have begun while this lane waited.
        outcome.resolve(
          stopped() ? null : await renderWithRetries(req, group, groupJob(strategy, index, sourceScratch)),
        );
      } catch (error) {
        outcome.reject(error);
        release();
        throw error;
      }
      if (next >= groups.length || stopped()) return release();
      // Queue for the next slot before giving this one back, so this source keeps its turn.
      index = next++;
      const queued = slots.acquire(strategy.slotsPerProcess, ticket(index));
      release();
      release = await queued;
    }
  };
  try {
    const checking = checkInOrder();
    checking.catch(() => {});
    // Every lane ends (a cancel stops all their processes) before the files are cleaned up.
    const lanes = await Promise.allSettled(Array.from({ length: strategy.lanes }, lane));
    for (const outcome of rendered) outcome.resolve(null);
    const failed = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected');
    if (failed) throw failed.reason;
    await checking;
    return results;
  } finally {
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

interface Settle<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** A promise settled from outside; later settles are ignored, and an unawaited rejection is not fatal. */
function settleOnce<T>(): Settle<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
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

/** The FFmpeg commands of a render when nothing fails, in start order (what `--print-commands` shows). */
export function renderCommands(req: CommandRequest): ScheduledCommand[] {
  const { strategy, groups } = planGroups(req);
  const sourceScratch = sourceScratchPath(req.targets);
  return groups.map((group, index) => ({
    args: groupCommand(req, group, groupJob(strategy, index, sourceScratch)),
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

function groupCommand(req: CommandRequest, group: RenderTarget[], job: GroupJob): string[] {
  return buildRenderCommand({
    inputPath: req.inputPath,
    media: req.media,
    targets: group.map((t) => ({
      plan: t.plan,
      outPath: t.workPath,
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
