import { FINGERPRINT_FILTERS, fingerprintFilters, fingerprintOutputArgs } from '../verify/fingerprint.js';
import { hashBranchFilters, hashOutputArgs, VARIATION_HASH_FPS } from '../verify/frame-hash-command.js';

/**
 * Extra outputs of a render command, made from frames it decodes anyway: a fingerprint and the
 * PDQ frames of the source, and per variation a fingerprint, its PDQ frames and a JPEG thumbnail.
 * Measuring distinctness and making previews this way costs no second decode of anything.
 */
export interface SideOutputs {
  fingerprintPath?: string;
  thumbnailPath?: string;
  /** Where the variation's frames go, 15 a second, luma fit to 512 px, to be PDQ-hashed (a frame sink's URL). */
  hashTarget?: string;
}

export const THUMBNAIL_MAX_WIDTH = 360;

/** The filters of the side branches: the fingerprint's own, and split, trim and scale. */
export const SIDE_OUTPUT_FILTERS: readonly string[] = [
  'split',
  'trim',
  'scale',
  'extractplanes',
  ...FINGERPRINT_FILTERS,
];

/** Where in a variation its thumbnail is taken: one second in, or the middle of a shorter clip. */
export function thumbnailTime(durationSec: number): number {
  return Math.round(Math.min(1, durationSec / 2) * 1000) / 1000;
}

/**
 * Ends a video chain at `label`, splitting it when side outputs want its frames too. Returns the
 * chain's last part (appended to the chain) and the graph lines of the side branches.
 */
export function branchSideOutputs(
  label: string,
  sides: SideOutputs,
  durationSec: number,
  size: { width: number; height: number },
): { tail: string; graph: string[] } {
  const branches: string[] = [];
  const graph: string[] = [];
  if (sides.fingerprintPath) {
    branches.push(`${label}fp`);
    graph.push(`[${label}fp]${fingerprintFilters(durationSec).join(',')}[${label}fpo]`);
  }
  if (sides.hashTarget) {
    branches.push(`${label}ph`);
    graph.push(
      `[${label}ph]${hashBranchFilters(size.width, size.height, VARIATION_HASH_FPS).join(',')}[${label}pho]`,
    );
  }
  if (sides.thumbnailPath) {
    branches.push(`${label}th`);
    const thumbWidth = Math.min(THUMBNAIL_MAX_WIDTH, size.width);
    // The second trim drops every later frame, so nothing past the thumbnail is scaled or queued.
    const pick = `trim=start=${thumbnailTime(durationSec)},trim=end_frame=1`;
    graph.push(`[${label}th]${pick},scale=${thumbWidth}:-2[${label}tho]`);
  }
  if (branches.length === 0) return { tail: `[${label}]`, graph };
  const outs = [label, ...branches].map((b) => `[${b}]`).join('');
  return { tail: `,split=${branches.length + 1}${outs}`, graph };
}

/** Output options for the side branches made by branchSideOutputs. */
export function sideOutputArgs(label: string, sides: SideOutputs, durationSec: number): string[] {
  const args: string[] = [];
  if (sides.fingerprintPath) args.push(...fingerprintOutputArgs(`[${label}fpo]`, sides.fingerprintPath));
  // Cut where the variation is cut, so the hashes are of the frames a viewer gets.
  if (sides.hashTarget) args.push(...hashOutputArgs(`[${label}pho]`, sides.hashTarget, durationSec));
  if (sides.thumbnailPath) {
    args.push('-map', `[${label}tho]`, '-frames:v', '1', '-q:v', '3', '-flags:v', '+bitexact');
    args.push('-fflags', '+bitexact', '-f', 'image2', '-update', '1', `file:${sides.thumbnailPath}`);
  }
  return args;
}
