import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { mapPool } from '../../src/lib/map-pool.js';
import { admitMedia } from '../../src/media/admission/admission.js';
import { runFfmpeg } from '../../src/media/ffmpeg/runner.js';
import { engineOptions } from '../../src/media/options.js';
import { outputFps } from '../../src/media/plan/output-format.js';
import { expectedDuration, planJob, redrawPlanner } from '../../src/media/plan/planner.js';
import { renderCommands, renderVariations } from '../../src/media/render/render.js';
import type { RenderTarget } from '../../src/media/render/render-types.js';
import { VARIATION_HASH_FPS } from '../../src/media/verify/frame-hash-command.js';
import { hashVideoFrames } from '../../src/media/verify/video-hashes.js';
import type { BenchContext, ScenarioOutcome } from '../context.js';
import type { Figure } from '../report.js';
import { cpuOf, hashFrameCostMs } from './hash-frame-cost.js';

/**
 * Scenario 10: what vPDQ costs a render. The first source × N outputs rendered twice from the same
 * plans: as vidvar renders them (hash branches of every output and of the source, hashing in Node,
 * vPDQ against the source and the siblings, redraws if any), and as the same commands without the hash
 * branches (what --print-commands prints). CPU of this process and of the FFmpeg processes it reaped,
 * from /proc/self/stat; the difference is what hashing and measuring cost. Also: hashing the source in
 * a pass of its own (a second decode) instead of as a branch of the render's decode.
 */
const ROUNDS = 3;
/** The count New batch starts with. */
const TYPICAL_COUNT = 10;

export async function hashing(ctx: BenchContext): Promise<ScenarioOutcome> {
  const source = ctx.sources[0] as string;
  const options = engineOptions({});
  const media = await admitMedia(source, path.basename(source), options);
  const count = ctx.workload.strategyOutputs;
  const seed = 'bench-w1';
  const plans =
    planJob({ seed, intensity: 'medium', count, sources: [media], preset: options.preset })[0] ?? [];
  const targets = async (name: string): Promise<RenderTarget[]> => {
    const dir = path.join(ctx.runDir, `hashing-${name}`);
    await mkdir(dir, { recursive: true });
    return plans.map((plan) => ({
      outputId: `v${plan.index}`,
      plan,
      workPath: path.join(dir, `v${plan.index}.part.mp4`),
      finalPath: path.join(dir, `v${plan.index}.mp4`),
    }));
  };

  // Alternated, and the least of each kept: CPU seconds grow when other work shares the cores' caches.
  let plain = Number.POSITIVE_INFINITY;
  let hashed = Number.POSITIVE_INFINITY;
  let redraws = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    ctx.log(`10: the same commands without hash branches (${round}/${ROUNDS})`);
    const list = await targets(`plain-${round}`);
    plain = Math.min(
      plain,
      await cpuOf(async () => {
        const commands = renderCommands({ inputPath: source, media, targets: list, options });
        await mapPool(commands, options.cpus, (c) =>
          runFfmpeg({ args: c.args, durationSec: media.durationSec, options }),
        );
      }),
    );
    ctx.log(`10: vidvar with hash branches and vPDQ (${round}/${ROUNDS})`);
    const hashedList = await targets(`hashed-${round}`);
    hashed = Math.min(
      hashed,
      await cpuOf(async () => {
        const replan = redrawPlanner({
          seed,
          intensity: 'medium',
          preset: options.preset,
          media,
          sourceIndex: 0,
        });
        const results = await renderVariations({
          inputPath: source,
          media,
          targets: hashedList,
          options,
          replan,
        });
        redraws = results.reduce((n, r) => n + (r.ok ? r.distinctness.redraws.length : 0), 0);
      }),
    );
  }
  ctx.log('10: the source hashed in a pass of its own');
  const ownPass = await cpuOf(async () => {
    await hashVideoFrames({ file: source, options, socketDir: ctx.runDir, fps: null, info: media });
  });
  // A redraw is a whole render more: counted apart (at the average cost of an output), not as hashing.
  const redrawCpu = (redraws * plain) / count;
  const extra = hashed - redrawCpu - plain;
  ctx.log('10: what one frame costs to hash, apart from any decode');
  const perFrameMs = await hashFrameCostMs(source, media, options, ctx.runDir);
  // The frames a render hashes: every frame of the source once, each variation at VARIATION_HASH_FPS.
  const frames =
    Math.round(media.durationSec * outputFps(media)) +
    plans.reduce((n, plan) => n + Math.ceil(expectedDuration(media, plan) * VARIATION_HASH_FPS), 0);
  const hashingCpu = (frames * perFrameMs) / 1000;
  // A batch of the app's default size: the source's frames are hashed once whatever the count.
  const sourceFrames = Math.round(media.durationSec * outputFps(media));
  const perOutputFrames = (frames - sourceFrames) / count;
  const typicalCpu = ((sourceFrames + TYPICAL_COUNT * perOutputFrames) * perFrameMs) / 1000;
  const typicalShare = typicalCpu / ((plain / count) * TYPICAL_COUNT + typicalCpu);
  const figures: Figure[] = [
    { key: 'hashing.plainCpuSec', label: `${count} outputs, no hash branches: CPU`, value: plain, unit: 's' },
    {
      key: 'hashing.hashedCpuSec',
      label: `${count} outputs, hashed and measured by vPDQ: CPU`,
      value: hashed,
      unit: 's',
    },
    {
      key: 'hashing.endToEndShare',
      label: 'difference of the two, as a share of the hashed render (redraws apart; noisy)',
      value: hashed > 0 ? extra / (hashed - redrawCpu) : null,
      unit: 'ratio',
    },
    {
      key: 'hashing.perFrameMs',
      label: 'one frame hashed (branch + PDQ): CPU',
      value: perFrameMs,
      unit: 'ms',
    },
    {
      key: 'hashing.frames',
      label: `frames a render of ${count} outputs hashes`,
      value: frames,
      unit: 'count',
    },
    {
      key: 'hashing.share',
      label: `share of the render CPU that hashing costs, ${count} outputs (frames × cost per frame)`,
      value: hashingCpu / (plain + hashingCpu),
      unit: 'ratio',
    },
    {
      key: 'hashing.shareAtDefaultCount',
      label: `the same for a batch of ${TYPICAL_COUNT} (the app's default count)`,
      value: typicalShare,
      unit: 'ratio',
      goal: { op: '<=', target: 0.05 },
    },
    {
      key: 'hashing.sourceOwnPassCpuSec',
      label: 'the source hashed in its own pass (every frame): CPU',
      value: ownPass,
      unit: 's',
    },
    { key: 'hashing.redraws', label: 'outputs redrawn', value: redraws, unit: 'count' },
  ];
  return {
    figures,
    notes: [`1 source × ${count} outputs, medium; CPU of Node and the FFmpeg processes it reaped`],
  };
}
