import { type FinishState, forEachPlacement } from './render-checks.js';
import type { RenderRequest, RenderResult, RenderTarget } from './render-types.js';

/**
 * The guarantee: an output vPDQ matches to its source or to a sibling delivered before it is never
 * delivered. It is planned again from the seed under a labelled fork (`redraw-1`, `redraw-2`), the
 * rejected plan recorded, and rendered again; after MAX_TRIES renders it fails with a reason a
 * marketer can act on.
 */
export const MAX_TRIES = 3;

export function tooCloseMessage(closeTo: 'source' | 'sibling', tries: number): string {
  const times = `${tries} ${tries === 1 ? 'try' : 'tries'}`;
  return closeTo === 'source'
    ? `This variation stayed too close to the original in Meta's open video matcher after ${times}; try a stronger intensity.`
    : `This variation stayed too close to another variation of the same video in Meta's open video matcher after ${times}; try a stronger intensity or fewer variations.`;
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
      const message = tooCloseMessage(result.tooClose.closeTo, tries);
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
