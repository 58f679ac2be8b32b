/**
 * Which container formats FFmpeg may open for us, and how an input is opened safely.
 *
 * Allowed: containers that hold their media inside the one file, which is what cameras, phones,
 * editors and browsers produce. Never allowed: anything that makes FFmpeg open other files or the
 * network (HLS, DASH, concat lists, SDP/RTSP/RTP, IMF), image sequences and single pictures, raw
 * elementary streams (no timing), and devices or generators (lavfi). FFmpeg itself enforces the list
 * (`-format_whitelist`, checked after detection and before the demuxer reads its header, and copied
 * to every nested demuxer) together with `-protocol_whitelist file`.
 */
export const ALLOWED_DEMUXERS: readonly string[] = [
  'mov,mp4,m4a,3gp,3g2,mj2', // phones, cameras, editors (external data references stay off by default)
  'matroska,webm', // browsers' MediaRecorder, web exports, MKV
  'avi', // legacy exports
  'mpegts', // camcorders (AVCHD .mts), broadcast captures
  'mpeg', // MPEG program streams (.mpg, .vob)
  'flv', // old Flash and streaming exports
  'asf', // Windows Media (.wmv)
  'mxf', // broadcast and professional exports
  'ivf', // VP8/VP9/AV1 straight out of an encoder
  'ogg', // Theora video
  'gif', // animated GIF ads; a single-frame GIF is refused as a still image
  'apng', // animated PNG, same rule
];

/** The value for `-format_whitelist`: every allowed demuxer name, comma-separated. */
export const DEMUXER_WHITELIST = ALLOWED_DEMUXERS.join(',');

/**
 * The allowed demuxer for a format name ffprobe reported (or any one of its aliases such as
 * 'mp4' or 'webm'): the name to force with `-f` on every later run. null when not allowed.
 */
export function demuxerFor(formatName: string): string | null {
  const names = formatName.split(',').map((n) => n.trim());
  return ALLOWED_DEMUXERS.find((family) => family.split(',').some((alias) => names.includes(alias))) ?? null;
}

/**
 * How to open an admitted source in any FFmpeg run: the detected demuxer forced (no second guess
 * from the content), only the file protocol, and a `file:` URL so that no part of the path can be
 * read as a protocol or an option.
 */
export function inputArgs(file: string, demuxer: string): string[] {
  return [
    '-protocol_whitelist',
    'file',
    '-format_whitelist',
    DEMUXER_WHITELIST,
    '-f',
    demuxer,
    '-i',
    `file:${file}`,
  ];
}

export type RefusedKind = 'playlist' | 'image' | 'audio' | 'other';

const LINKING_DEMUXERS = new Set('hls applehttp concat dash sdp rtsp rtp imf ffmetadata'.split(' '));
const AUDIO_DEMUXERS = new Set(
  `mp3 wav w64 aac flac aiff amr amrnb amrwb ac3 eac3 dts dtshd truehd mlp
   ape wv tak caf au mpc mpc8 tta dsf xwma loas wsaud voc shn`.split(/\s+/),
);

/** Why a detected demuxer is not allowed, in the terms the user's message needs. */
export function refusedKind(demuxer: string): RefusedKind {
  if (LINKING_DEMUXERS.has(demuxer)) return 'playlist';
  if (demuxer === 'image2' || demuxer.endsWith('_pipe') || demuxer === 'webp') return 'image';
  if (AUDIO_DEMUXERS.has(demuxer)) return 'audio';
  return 'other';
}

/** How many first bytes of a file sniffHead looks at. */
export const SNIFF_BYTES = 4096;

const PLAYLIST_MARKERS = ['#extm3u', '#ext-x-', 'ffconcat', '[playlist]', '<mpd', '<smil', '<?xml'];

/**
 * Our own look at the first bytes, before FFmpeg sees the file: playlists and other text are
 * refused without starting any process. 'text' is valid UTF-8 without control characters.
 */
export function sniffHead(head: Uint8Array): 'playlist' | 'text' | null {
  // A multi-byte character may be cut at the end of the sample.
  const sample = head.length >= SNIFF_BYTES ? trimCutCharacter(head) : head;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(sample);
  } catch {
    return null;
  }
  if (hasControlCharacters(text)) return null;
  const start = text
    .replace(/^\uFEFF/, '')
    .trimStart()
    .toLowerCase();
  if (PLAYLIST_MARKERS.some((marker) => start.startsWith(marker))) return 'playlist';
  if (/^\s*(file\s+\S|#extinf|[a-z][a-z0-9+.-]*:\/\/)/m.test(start)) return 'playlist';
  return 'text';
}

/** Text files hold tabs, line and page breaks; any other control character means binary data. */
function hasControlCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && (code < 0x09 || code > 0x0d)) || code === 0x7f) return true;
  }
  return false;
}

function trimCutCharacter(bytes: Uint8Array): Uint8Array {
  let end = bytes.length;
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const byte = bytes[end - back] as number;
    if ((byte & 0xc0) === 0x80) continue;
    if (byte >= 0xc0) end -= back;
    break;
  }
  return bytes.subarray(0, end);
}
