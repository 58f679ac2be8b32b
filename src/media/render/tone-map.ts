import type { MediaInfo } from '../types.js';

/**
 * HDR sources (PQ or HLG, BT.2020) become SDR BT.709 inside the render: an 8-bit H.264 output tagged
 * HDR, or HDR values shown as SDR, look wrong on every player. SDR sources keep their argv untouched.
 */

/** The filters this module writes. */
export const TONE_MAP_FILTERS: readonly string[] = ['zscale', 'tonemap', 'format'];

/**
 * Scale to the output size first, so the float stages run on output pixels only (a 4K HLG phone
 * clip costs no more than an SDR one once it is 1080 wide); then linear light, BT.709 primaries,
 * Hable's curve (desat=0 keeps colour: the reference at desat=2 measured 40 % less saturated), and
 * back to limited-range BT.709 4:2:0. The input's colour is spelt out, so untagged frames convert too.
 */
export function toneMapFilters(media: MediaInfo, width: number, height: number): string[] | null {
  const hdr = media.video.hdr;
  if (!hdr) return null;
  return [
    `zscale=w=${width}:h=${height}:tin=${hdr.transfer}:pin=${hdr.primaries}:min=${hdr.matrix}:t=linear:npl=100`,
    'format=gbrpf32le',
    'zscale=p=bt709',
    'tonemap=tonemap=hable:desat=0',
    'zscale=t=bt709:m=bt709:r=tv',
    'format=yuv420p',
  ];
}

/** Output colour tags of an HDR source's outputs: BT.709 throughout, never the source's HDR ones. */
export function colourTagArgs(media: MediaInfo): string[] {
  if (!media.video.hdr) return [];
  return ['-color_primaries', 'bt709', '-color_trc', 'bt709', '-colorspace', 'bt709', '-color_range', 'tv'];
}
