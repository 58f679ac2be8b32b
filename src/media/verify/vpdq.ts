import { PDQ_MATCH_DISTANCE, packPdqHashes, wordsDistance } from './pdq-bits.js';

/**
 * vPDQ, Meta's video matcher, as published (ThreatExchange vpdq/README.md): each video is an
 * unordered bag of PDQ frame hashes; order and timestamps play no part. Frames under quality 50 are
 * dropped (their bits describe flat pictures, not content). A frame of one video matches when some
 * frame of the other is within 31 bits. Two shares follow: of the query's frames that match, and of
 * the compared video's frames that match.
 *
 * The verdict follows the README's example rule: the videos match when at least 80 % of the
 * compared video's frames match (any share of the query's). Too few frames left after the quality
 * filter — a black or blank video — is "not measurable", never "distinct": no evidence either way.
 *
 * Sampling: a share is only right when the other video's frames are all there. Hash the query at
 * every frame and the compared video at a few frames a second (its share is then an unbiased
 * estimate); never both sampled (see the figures in video-hashes.ts).
 */
export interface VpdqFrame {
  quality: number;
  hex: string;
}

export type VpdqVerdict = 'match' | 'distinct' | 'not_measurable';

export interface VpdqComparison {
  verdict: VpdqVerdict;
  /** Share of the query's frames with a match in the other video, 0–100. */
  queryMatchedPercent: number;
  /** Share of the compared video's frames with a match in the query, 0–100. */
  comparedMatchedPercent: number;
  /** Median over the query's frames of the distance to the nearest frame of the other; null when not measurable. */
  nearestBits: number | null;
  /** The same over the compared video's frames: the figure to read when the compared side is sampled. */
  comparedNearestBits: number | null;
  /** Frames that passed the quality filter. */
  queryFrames: number;
  comparedFrames: number;
}

export interface VpdqRule {
  qualityMin: number;
  distanceMax: number;
  comparedPercentMin: number;
  queryPercentMin: number;
  /** Fewer frames than this on either side after the quality filter: not measurable (one or two frames make no share). */
  framesMin: number;
}

export const VPDQ_RULE: VpdqRule = {
  qualityMin: 50,
  distanceMax: PDQ_MATCH_DISTANCE,
  comparedPercentMin: 80,
  queryPercentMin: 0,
  framesMin: 3,
};

export function compareVideos(
  query: readonly VpdqFrame[],
  compared: readonly VpdqFrame[],
  rule: VpdqRule = VPDQ_RULE,
): VpdqComparison {
  const matching = startComparison(query, compared, rule);
  matching.step(matching.rowsLeft);
  return matching.result();
}

/**
 * A comparison done a few of the query's frames (rows) at a time. Every pair of frames is compared
 * (as the published brute-force matcher does): two 10-minute videos at 30 fps are 3·10⁸ pairs, tens
 * of seconds of one thread, which a server must not spend without answering other requests between
 * slices. compareVideos runs all rows at once.
 */
export interface VpdqMatching {
  /** Query frames not yet compared with every frame of the other video. */
  readonly rowsLeft: number;
  /** Pairs of frames one row costs. */
  readonly pairsPerRow: number;
  step(rows: number): void;
  /** The comparison; valid once no row is left. */
  result(): VpdqComparison;
}

export function startComparison(
  query: readonly VpdqFrame[],
  compared: readonly VpdqFrame[],
  rule: VpdqRule = VPDQ_RULE,
): VpdqMatching {
  const q = usable(query, rule);
  const c = usable(compared, rule);
  if (q.length < rule.framesMin || c.length < rule.framesMin) {
    const notMeasurable: VpdqComparison = {
      verdict: 'not_measurable',
      queryMatchedPercent: 0,
      comparedMatchedPercent: 0,
      nearestBits: null,
      comparedNearestBits: null,
      queryFrames: q.length,
      comparedFrames: c.length,
    };
    return { rowsLeft: 0, pairsPerRow: 0, step: () => undefined, result: () => notMeasurable };
  }
  const qWords = packPdqHashes(q);
  const cWords = packPdqHashes(c);
  const queryNearest = new Float64Array(q.length).fill(Number.POSITIVE_INFINITY);
  const comparedNearest = new Float64Array(c.length).fill(Number.POSITIVE_INFINITY);
  let next = 0;
  return {
    get rowsLeft() {
      return q.length - next;
    },
    pairsPerRow: c.length,
    step(rows) {
      const end = Math.min(q.length, next + rows);
      for (let i = next; i < end; i++) {
        for (let j = 0; j < c.length; j++) {
          const d = wordsDistance(qWords, i, cWords, j);
          if (d < (queryNearest[i] as number)) queryNearest[i] = d;
          if (d < (comparedNearest[j] as number)) comparedNearest[j] = d;
        }
      }
      next = end;
    },
    result() {
      if (next < q.length) throw new Error('vPDQ comparison read before every frame was compared');
      const queryMatchedPercent = percent(countAtMost(queryNearest, rule.distanceMax), q.length);
      const comparedMatchedPercent = percent(countAtMost(comparedNearest, rule.distanceMax), c.length);
      const isMatch =
        comparedMatchedPercent >= rule.comparedPercentMin && queryMatchedPercent >= rule.queryPercentMin;
      return {
        verdict: isMatch ? 'match' : 'distinct',
        queryMatchedPercent,
        comparedMatchedPercent,
        nearestBits: median(queryNearest),
        comparedNearestBits: median(comparedNearest),
        queryFrames: q.length,
        comparedFrames: c.length,
      };
    },
  };
}

function usable(frames: readonly VpdqFrame[], rule: VpdqRule): string[] {
  return frames.filter((f) => f.quality >= rule.qualityMin).map((f) => f.hex);
}

function countAtMost(values: Float64Array, max: number): number {
  let n = 0;
  for (const v of values) if (v <= max) n++;
  return n;
}

function percent(part: number, whole: number): number {
  return (part * 100) / whole;
}

function median(values: Float64Array): number {
  const sorted = values.slice().sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
