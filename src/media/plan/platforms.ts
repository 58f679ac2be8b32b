import type { FormatName } from './placement.js';

/**
 * Each platform's published limits for an uploaded ad video, in one table. Figures come from the
 * platforms' own help pages, named beside each; they were taken from those pages as last read (this
 * code was written without network access), so check them against the live pages before relying on
 * one. `null`: the platform publishes no such limit, and vidvar checks nothing there.
 */
export const PLATFORMS = ['meta', 'tiktok', 'youtube-shorts', 'youtube'] as const;
export type PlatformName = (typeof PLATFORMS)[number];

export interface PlatformLimits {
  label: string;
  /** The placements vidvar renders for this platform when no formats are given. */
  formats: FormatName[];
  durationSec: { min: number; max: number };
  maxFileBytes: number;
  /** Shortest side of the picture, in pixels. */
  minShortSide: number | null;
  /** Overall bit rate (file size over duration), kb/s. */
  minBitrateK: number | null;
  videoCodecs: string[];
  audioCodecs: string[];
  /** Picture shapes the platform takes, width:height. */
  aspectRatios: string[];
  /** Integrated loudness vidvar aims for with this platform's preset, and the true-peak ceiling. */
  loudness: { lufs: number; truePeakDb: number };
}

const MB = 1024 * 1024;
const GB = 1024 * MB;
/**
 * −14 LUFS integrated, true peak ≤ −1 dBTP: what YouTube, TikTok and Meta's players normalise
 * towards (YouTube Help "Loudness normalization"; AES TD1008 streaming recommendation).
 */
const STREAMING_LOUDNESS = { lufs: -14, truePeakDb: -1 };

export const PLATFORM_LIMITS: Record<PlatformName, PlatformLimits> = {
  meta: {
    label: 'Meta (Facebook and Instagram)',
    formats: ['9x16', '4x5', '1x1'],
    // Meta Ads Guide, "Facebook Feed: video": 1 second to 241 minutes; file size up to 4 GB.
    durationSec: { min: 1, max: 241 * 60 },
    maxFileBytes: 4 * GB,
    // Meta Ads Guide, "Instagram Feed/Reels: video": minimum width 500 pixels (Facebook's own is 120).
    minShortSide: 500,
    // Meta Ads Guide publishes no minimum bit rate.
    minBitrateK: null,
    // Meta Ads Guide: H.264, AAC audio recommended ("Video codec / Audio codec").
    videoCodecs: ['h264'],
    audioCodecs: ['aac'],
    // Meta Ads Guide: 9:16 (Stories, Reels), 4:5 and 1:1 (Feed), 16:9 (in-stream).
    aspectRatios: ['9:16', '4:5', '1:1', '16:9'],
    loudness: STREAMING_LOUDNESS,
  },
  tiktok: {
    label: 'TikTok',
    formats: ['9x16'],
    // TikTok Ads Manager Help, "Auction In-Feed Ads — video specifications": 5 to 60 seconds.
    durationSec: { min: 5, max: 60 },
    // Same page: file size up to 500 MB.
    maxFileBytes: 500 * MB,
    // Same page: resolution at least 540 × 960 (9:16), 640 × 640 (1:1), 960 × 540 (16:9).
    minShortSide: 540,
    // Same page: bit rate at least 516 kbps.
    minBitrateK: 516,
    // Same page: .mp4, .mov, .mpeg, .3gp or .avi; H.264 and AAC are what vidvar writes into MP4.
    videoCodecs: ['h264'],
    audioCodecs: ['aac'],
    aspectRatios: ['9:16', '1:1', '16:9'],
    loudness: STREAMING_LOUDNESS,
  },
  'youtube-shorts': {
    label: 'YouTube Shorts',
    formats: ['9x16'],
    // YouTube Help, "Upload YouTube Shorts": square or vertical videos up to 3 minutes.
    durationSec: { min: 1, max: 180 },
    // YouTube Help, "Upload videos longer than 15 minutes": files up to 256 GB.
    maxFileBytes: 256 * GB,
    // YouTube publishes no minimum resolution or bit rate for Shorts.
    minShortSide: null,
    minBitrateK: null,
    // YouTube Help, "Recommended upload encoding settings": H.264, AAC-LC.
    videoCodecs: ['h264'],
    audioCodecs: ['aac'],
    aspectRatios: ['9:16', '1:1'],
    loudness: STREAMING_LOUDNESS,
  },
  youtube: {
    label: 'YouTube',
    formats: ['16x9'],
    // YouTube Help, "Upload videos longer than 15 minutes": up to 12 hours (verified accounts).
    // Google Ads Help, "About video ad formats": skippable in-stream ads have no minimum length.
    durationSec: { min: 1, max: 12 * 3600 },
    maxFileBytes: 256 * GB,
    minShortSide: null,
    // "Recommended upload encoding settings" gives recommended rates (8 Mb/s at 1080p30), not a floor.
    minBitrateK: null,
    videoCodecs: ['h264'],
    audioCodecs: ['aac'],
    // YouTube Help, "Video resolution and aspect ratios": 16:9 on a computer (others are letterboxed).
    aspectRatios: ['16:9'],
    loudness: STREAMING_LOUDNESS,
  },
};

export function isPlatform(value: unknown): value is PlatformName {
  return typeof value === 'string' && (PLATFORMS as readonly string[]).includes(value);
}
