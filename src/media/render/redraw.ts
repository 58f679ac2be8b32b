import type { Redraw } from '../verify/distinctness.js';
import { type FinishState, forEachPlacement } from './render-checks.js';
import type { RenderRequest, RenderResult, RenderTarget } from './render-types.js';

/**
 * The guarantee: an output too close to its source or to a sibling delivered before it (vPDQ's match,
 * or the pixel floors where vPDQ cannot measure: too-close.ts) is never delivered. It is planned again
 * from the seed under a labelled fork (`redraw-1`, `redraw-2`), the rejected plan recorded, and
 * rendered again; after MAX_TRIES renders it fails with a reason a marketer can act on.
 */
export const MAX_TRIES = 3;

export function tooCloseMessage(close: Pick<Redraw, 'closeTo' | 'measure'>, tries: number): string {
  const times = `${tries} ${tries === 1 ? 'try' : 'tries'}`;
  // Where vPDQ could not measure, the pixel measures judged: the message must not name the matcher.
  const by =
    close.measure === 'pixel'
      ? ' (the picture has too little detail for vPDQ; compared pixel by pixel)'
      : " in Meta's open video matcher";
  return close.closeTo === 'source'
    ? `This variation stayed too close to the original${by} after ${times}; try a stronger intensity.`
    : `This variation stayed too close to another variation of the same video${by} after ${times}; try a stronger intensity or fewer variations.`;
}

/** What a round settled (delivered or failed for good), and the targets to render again, replanned. */
export function nextRound(
  req: RenderRequest,
  round: readonly RenderTarget[],
  ended: readonly RenderResult[],
  tries: number,
  state: FinishState,
): { settled: RenderResult[]; targets: RenderTarget[] } {
  const settled: RenderResult[] = [];
  const targets: RenderTarget[] = [];
  for (const result of ended) {
    const target = round.find((t) => t.outputId === result.outputId);
    if (result.ok || !result.tooClose || !target) {
      settled.push(result);
      continue;
    }
    const { outputId } = result;
    if (tries >= MAX_TRIES || !req.replan) {
      const message = tooCloseMessage(result.tooClose, tries);
      const failed: RenderResult = { outputId, ok: false, code: 'too_close', message, detail: result.detail };
      for (const each of forEachPlacement(target, failed)) {
        req.onOutput?.(each);
        settled.push(each);
      }
      continue;
    }
    const label = `redraw-${tries}`;
    state.redraws.set(outputId, [...(state.redraws.get(outputId) ?? []), { ...result.tooClose, label }]);
    targets.push({ ...target, plan: req.replan(target.plan, label) });
  }
  return { settled, targets };
}
