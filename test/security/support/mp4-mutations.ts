import type { Random } from '../../../src/media/plan/random.js';

/**
 * Seeded mutations of a valid MP4 for fuzzing: byte flips, truncations, lies in box sizes and in the
 * entry counts of the sample tables (moov, mdat, stsz, stco, …), zeroed regions, duplicated chunks.
 */
export interface Box {
  type: string;
  /** Offset of the box header (its 32-bit size field). */
  offset: number;
  size: number;
}

const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl', 'edts', 'udta', 'dinf']);
/** Full boxes whose body starts with version/flags and then a 32-bit entry count. */
const COUNTED = new Set(['stsz', 'stco', 'stts', 'stsc', 'stss', 'ctts', 'co64', 'elst', 'dref']);

/** Every box of the tree under the containers vidvar's files use, depth first. */
export function walkBoxes(data: Buffer, start = 0, end = data.length): Box[] {
  const boxes: Box[] = [];
  let offset = start;
  while (offset + 8 <= end) {
    const size = data.readUInt32BE(offset);
    const type = data.toString('latin1', offset + 4, offset + 8);
    if (size < 8 || offset + size > end) break;
    boxes.push({ type, offset, size });
    if (CONTAINERS.has(type)) boxes.push(...walkBoxes(data, offset + 8, offset + size));
    offset += size;
  }
  return boxes;
}

export interface Mutant {
  label: string;
  bytes: Buffer;
}

/** null when the file has nothing this mutation could target (a mutant may have lost its boxes). */
type Mutation = (data: Buffer, boxes: Box[], random: Random) => Mutant | null;

const SIZED = ['moov', 'mdat', 'stsz', 'stco', 'stts', 'stsc', 'trak', 'mdia'];

const SIZE_LIES = [0, 1, 7, 8, 0xffffffff, 0x7fffffff];

const mutations: Record<string, Mutation> = {
  flipBytes(data, _boxes, random) {
    const bytes = Buffer.from(data);
    const n = random.int(1, 32);
    for (let i = 0; i < n; i++) {
      const at = random.int(0, bytes.length - 1);
      bytes[at] = (bytes[at] as number) ^ random.int(1, 255);
    }
    return { label: `flip ${n} bytes`, bytes };
  },
  flipInBox(data, boxes, random) {
    const targets = boxes.filter((b) => b.type !== 'mdat' && b.size > 8);
    if (targets.length === 0) return null;
    const box = random.pick(targets);
    const bytes = Buffer.from(data);
    const n = random.int(1, 4);
    for (let i = 0; i < n; i++) {
      const at = box.offset + 8 + random.int(0, Math.max(0, box.size - 9));
      bytes[at] = (bytes[at] as number) ^ random.int(1, 255);
    }
    return { label: `flip ${n} bytes in ${box.type}`, bytes };
  },
  truncate(data, _boxes, random) {
    if (data.length < 2) return null;
    const at = random.int(1, data.length - 1);
    return { label: `truncate at ${at}`, bytes: data.subarray(0, at) };
  },
  boxSizeLie(data, boxes, random) {
    const targets = boxes.filter((b) => SIZED.includes(b.type));
    if (targets.length === 0) return null;
    const box = random.pick(targets);
    const lie = random.chance(0.5) ? random.pick(SIZE_LIES) : Math.max(0, box.size + random.int(-64, 64));
    const bytes = Buffer.from(data);
    bytes.writeUInt32BE(lie >>> 0, box.offset);
    return { label: `${box.type} size ${box.size} → ${lie}`, bytes };
  },
  countLie(data, boxes, random) {
    const targets = boxes.filter((b) => COUNTED.has(b.type) && b.size >= 20);
    if (targets.length === 0) return null;
    const box = random.pick(targets);
    const lie = random.pick([0, 1, 0x7fffffff, 0xffffffff, 0x10000000, random.int(2, 100_000)]);
    const bytes = Buffer.from(data);
    const at = box.type === 'stsz' ? box.offset + 16 : box.offset + 12;
    bytes.writeUInt32BE(lie >>> 0, at);
    return { label: `${box.type} entry count → ${lie}`, bytes };
  },
  zeroRegion(data, _boxes, random) {
    const bytes = Buffer.from(data);
    const length = random.int(1, 4096);
    const at = random.int(0, bytes.length - 1);
    bytes.fill(0, at, Math.min(bytes.length, at + length));
    return { label: `zero ${length} bytes at ${at}`, bytes };
  },
  duplicateChunk(data, _boxes, random) {
    const length = random.int(8, 8192);
    const from = random.int(0, Math.max(0, data.length - length));
    const to = random.int(0, data.length);
    const chunk = data.subarray(from, from + length);
    return {
      label: `copy ${length} bytes from ${from} to ${to}`,
      bytes: Buffer.concat([data.subarray(0, to), chunk, data.subarray(to)]),
    };
  },
};

/** `count` mutants of `data`, the same ones for the same seed; some combine two or three mutations. */
export function mutants(data: Buffer, count: number, random: Random): Mutant[] {
  const names = Object.keys(mutations);
  const result: Mutant[] = [];
  for (let i = 0; i < count; i++) {
    let bytes = data;
    const labels: string[] = [];
    const rounds = random.chance(0.25) ? random.int(2, 3) : 1;
    for (let r = 0; r < rounds; r++) {
      const boxes = walkBoxes(bytes);
      const mutation = mutations[random.pick(names)] as Mutation;
      const applied =
        mutation(bytes, boxes, random) ?? (mutations.flipBytes as Mutation)(bytes, boxes, random);
      if (!applied) continue;
      bytes = applied.bytes;
      labels.push(applied.label);
    }
    result.push({ label: labels.join(' + '), bytes });
  }
  return result;
}
