import { open } from 'node:fs/promises';

/**
 * What an MP4 we wrote says about itself, read from its `moov` box in Node: the codec, size,
 * chroma format and orientation of its video, the codec of its sound, its duration. The checks of
 * every rendered output need only these: reading them takes ~1 ms, where an ffprobe process spends
 * ~60 ms of CPU loading FFmpeg's libraries before it reads a byte. Only what our own muxer writes
 * needs to be understood; anything else is an error.
 */
export interface Mp4Facts {
  durationSec: number;
  video: {
    /** 'h264' for avc1/avc3 entries, else the sample entry's four-character code. */
    codec: string;
    width: number;
    height: number;
    /** From H.264's sequence parameter set (1 is 4:2:0); null for other codecs. */
    chromaFormat: number | null;
    bitDepth: number | null;
    /** The track header's matrix turns the picture (players would rotate it). */
    rotated: boolean;
    /** How long the pictures last (the track's media header): the movie's duration may be its sound's. */
    durationSec: number;
  } | null;
  /** 'aac' for MPEG-4 audio in an mp4a entry, else what the entry says. */
  audio: { codec: string } | null;
}

/** A moov beyond this is not from our muxer (a 10-minute output's is under 2 MB). */
const MAX_MOOV_BYTES = 32 << 20;

export class Mp4Error extends Error {}

export async function readMp4Facts(file: string): Promise<Mp4Facts> {
  return parseMoov(await readMoov(file));
}

async function readMoov(file: string): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const { size: fileSize } = await handle.stat();
    const header = Buffer.alloc(16);
    for (let offset = 0; offset + 8 <= fileSize; ) {
      await handle.read(header, 0, 16, offset);
      const { type, size, headerSize } = boxHeader(header, 0, fileSize - offset);
      if (size < headerSize || offset + size > fileSize) throw new Mp4Error(`box ${type} runs past the end`);
      if (type === 'moov') {
        if (size > MAX_MOOV_BYTES) throw new Mp4Error('moov box too large');
        const moov = Buffer.alloc(size - headerSize);
        await handle.read(moov, 0, moov.length, offset + headerSize);
        return moov;
      }
      offset += size;
    }
    throw new Mp4Error('no moov box: the file was not finished');
  } finally {
    await handle.close();
  }
}

/**
 * The box header at `at` in `bytes`: a 32-bit size (1: a 64-bit size follows; 0: the box runs to the
 * end of its container, `left` bytes from here) and a four-character type.
 */
function boxHeader(
  bytes: Buffer,
  at: number,
  left: number,
): { type: string; size: number; headerSize: number } {
  const type = bytes.toString('latin1', at + 4, at + 8);
  const size = bytes.readUInt32BE(at);
  if (size === 1 && at + 16 <= bytes.length) {
    return { type, size: Number(bytes.readBigUInt64BE(at + 8)), headerSize: 16 };
  }
  return { type, size: size === 0 ? left : size, headerSize: 8 };
}

/** The child boxes of a box's payload, as [type, payload] pairs. */
function* boxes(data: Buffer): Generator<[string, Buffer]> {
  for (let offset = 0; offset + 8 <= data.length; ) {
    const { type, size, headerSize } = boxHeader(data, offset, data.length - offset);
    if (size < headerSize || offset + size > data.length) throw new Mp4Error(`box ${type} is cut off`);
    yield [type, data.subarray(offset + headerSize, offset + size)];
    offset += size;
  }
}

function child(data: Buffer | undefined, type: string): Buffer | undefined {
  if (!data) return undefined;
  for (const [t, payload] of boxes(data)) if (t === type) return payload;
  return undefined;
}

function parseMoov(moov: Buffer): Mp4Facts {
  const mvhd = child(moov, 'mvhd');
  if (!mvhd) throw new Mp4Error('no movie header');
  const v1 = mvhd[0] === 1;
  const timescale = mvhd.readUInt32BE(v1 ? 20 : 12);
  const duration = v1 ? Number(mvhd.readBigUInt64BE(24)) : mvhd.readUInt32BE(16);
  if (!(timescale > 0)) throw new Mp4Error('movie timescale is 0');
  const facts: Mp4Facts = { durationSec: duration / timescale, video: null, audio: null };
  for (const [type, trak] of boxes(moov)) {
    if (type !== 'trak') continue;
    const mdia = child(trak, 'mdia');
    const handler = child(mdia, 'hdlr')?.toString('latin1', 8, 12);
    const entry = firstSampleEntry(child(child(child(mdia, 'minf'), 'stbl'), 'stsd'));
    if (handler === 'vide' && entry && !facts.video) {
      facts.video = {
        ...videoFacts(entry, child(trak, 'tkhd')),
        durationSec: mediaDuration(child(mdia, 'mdhd')),
      };
    }
    if (handler === 'soun' && entry && !facts.audio) facts.audio = { codec: audioCodec(entry) };
  }
  return facts;
}

/** The media header's duration in seconds: version 1 has 64-bit times, version 0 32-bit ones. */
function mediaDuration(mdhd: Buffer | undefined): number {
  const v1 = mdhd?.[0] === 1;
  if (!mdhd || mdhd.length < (v1 ? 32 : 20)) throw new Mp4Error('no media header');
  const timescale = mdhd.readUInt32BE(v1 ? 20 : 12);
  if (!(timescale > 0)) throw new Mp4Error('media timescale is 0');
  return (v1 ? Number(mdhd.readBigUInt64BE(24)) : mdhd.readUInt32BE(16)) / timescale;
}

function firstSampleEntry(stsd: Buffer | undefined): [string, Buffer] | undefined {
  if (!stsd || stsd.length < 8 || stsd.readUInt32BE(4) < 1) return undefined;
  return boxes(stsd.subarray(8)).next().value ?? undefined;
}

/** Visual sample entry: 78 bytes of fields (width at 24, height at 26), then its own boxes. */
function videoFacts(
  [type, entry]: [string, Buffer],
  tkhd: Buffer | undefined,
): Omit<NonNullable<Mp4Facts['video']>, 'durationSec'> {
  if (entry.length < 78) throw new Mp4Error('video sample entry is cut off');
  const isAvc = type === 'avc1' || type === 'avc3';
  const sps = isAvc ? readSps(child(entry.subarray(78), 'avcC')) : { chromaFormat: null, bitDepth: null };
  return {
    codec: isAvc ? 'h264' : type,
    width: entry.readUInt16BE(24),
    height: entry.readUInt16BE(26),
    ...sps,
    rotated: tkhd ? !isIdentityTurn(tkhd) : false,
  };
}

/** The a, b, c, d of the track header's matrix must be 1, 0, 0, 1 (16.16 fixed point). */
function isIdentityTurn(tkhd: Buffer): boolean {
  const matrixAt = tkhd[0] === 1 ? 52 : 40;
  if (tkhd.length < matrixAt + 36) throw new Mp4Error('track header is cut off');
  const m = (i: number) => tkhd.readInt32BE(matrixAt + i * 4);
  return m(0) === 0x10000 && m(1) === 0 && m(3) === 0 && m(4) === 0x10000;
}

/** Where an audio sample entry's boxes start: after 28 bytes of fields, more in QuickTime's versions 1 and 2. */
const AUDIO_ENTRY_FIELDS: Record<number, number> = { 0: 28, 1: 44, 2: 64 };

/** MPEG-4 audio (object type 0x40) in an mp4a entry is AAC; the type sits in the esds descriptors. */
function audioCodec([type, entry]: [string, Buffer]): string {
  if (type !== 'mp4a') return type;
  const fields = entry.length >= 10 ? AUDIO_ENTRY_FIELDS[entry.readUInt16BE(8)] : undefined;
  const esds = fields === undefined ? undefined : child(entry.subarray(fields), 'esds');
  if (!esds) return 'mp4a';
  // esds: version/flags, then ES_Descriptor (tag 3) → DecoderConfigDescriptor (tag 4) → object type.
  let at = 4;
  const enter = (tag: number): boolean => {
    if (esds[at] !== tag) return false;
    at += 1;
    // The length: up to four bytes, each but the last with its top bit set.
    let more = true;
    for (let i = 0; i < 4 && more; i++) more = ((esds[at++] ?? 0) & 0x80) !== 0;
    return true;
  };
  if (!enter(3)) return 'mp4a';
  at += 2; // ES_ID
  const flags = esds[at++] ?? 0;
  if (flags & 0x80) at += 2; // depends on another stream
  if (flags & 0x40) at += 1 + (esds[at] ?? 0); // URL
  if (flags & 0x20) at += 2; // OCR stream
  if (!enter(4)) return 'mp4a';
  return esds[at] === 0x40 ? 'aac' : `mp4a.${(esds[at] ?? 0).toString(16)}`;
}

/** Chroma format and bit depth from the first SPS in avcC (profiles below High carry neither: 4:2:0, 8 bits). */
function readSps(avcC: Buffer | undefined): { chromaFormat: number; bitDepth: number } {
  if (!avcC || avcC.length < 8 || ((avcC[5] ?? 0) & 0x1f) === 0)
    throw new Mp4Error('no H.264 parameter sets');
  const length = avcC.readUInt16BE(6);
  const nal = withoutEmulationBytes(avcC.subarray(8, 8 + length));
  const profile = nal[1] ?? 0;
  if (![100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135].includes(profile)) {
    return { chromaFormat: 1, bitDepth: 8 };
  }
  const bits = new BitReader(nal.subarray(4));
  bits.ue(); // seq_parameter_set_id
  const chromaFormat = bits.ue();
  if (chromaFormat === 3) bits.bit(); // separate_colour_plane_flag
  return { chromaFormat, bitDepth: 8 + bits.ue() };
}

/** Drops the emulation-prevention bytes (00 00 03 → 00 00) of a NAL unit's payload. */
function withoutEmulationBytes(nal: Buffer): Buffer {
  const out: number[] = [];
  for (let i = 0; i < nal.length; i++) {
    if (i >= 2 && nal[i] === 3 && nal[i - 1] === 0 && nal[i - 2] === 0) continue;
    out.push(nal[i] as number);
  }
  return Buffer.from(out);
}

class BitReader {
  private position = 0;
  constructor(private readonly data: Buffer) {}

  bit(): number {
    const byte = this.data[this.position >> 3];
    if (byte === undefined) throw new Mp4Error('sequence parameter set is cut off');
    const value = (byte >> (7 - (this.position & 7))) & 1;
    this.position += 1;
    return value;
  }

  /** Unsigned Exp-Golomb code. */
  ue(): number {
    let zeros = 0;
    while (this.bit() === 0) if (++zeros > 31) throw new Mp4Error('bad Exp-Golomb code');
    let value = 1;
    for (let i = 0; i < zeros; i++) value = value * 2 + this.bit();
    return value - 1;
  }
}
