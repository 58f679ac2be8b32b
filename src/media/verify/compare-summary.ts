import type { VideoComparison } from './compare-videos.js';
import { VPDQ_RULE } from './vpdq.js';

const MATCHER = "Meta's open video matcher (vPDQ)";

/**
 * The verdict as one line a marketer can read: what vPDQ would decide, and the two figures it
 * decided on. Percentages are rounded down, so "80 %" never sits beside "Distinct".
 */
export function describeComparison(result: VideoComparison, nameA: string, nameB: string): string {
  if (result.verdict === 'not_measurable') {
    return (
      'Not measurable by vPDQ: too few frames with enough detail ' +
      `(${nameA}: ${result.queryFrames} of ${result.queryFramesHashed}, ` +
      `${nameB}: ${result.comparedFrames} of ${result.comparedFramesHashed}; ` +
      `at least ${VPDQ_RULE.framesMin} each are needed). Flat, dark or blank pictures carry no fingerprint.`
    );
  }
  const share =
    `${Math.floor(result.comparedMatchedPercent)} % of the frames of ${nameB} match ${nameA} ` +
    `(a match needs ${VPDQ_RULE.comparedPercentMin} %); median ${result.nearestBits} of 256 bits apart.`;
  return result.match
    ? `Match: ${MATCHER} would treat these as the same video — ${share}`
    : `Distinct: ${MATCHER} would treat these as different videos — ${share}`;
}
