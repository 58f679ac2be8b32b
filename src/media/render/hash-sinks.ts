import os from 'node:os';
import { outputGeometry } from '../plan/output-format.js';
import type { MediaInfo } from '../types.js';
import { HASH_FRAME_MAX_SIDE, hashFrameSize, VARIATION_HASH_FPS } from '../verify/frame-hash-command.js';
import { type FrameSink, openFrameSink } from '../verify/frame-sink.js';
import type { FrameHash } from '../verify/vpdq-hash-file.js';
import type { RenderTarget } from './render-types.js';

/**
 * The frame sinks of one render process: one per output, and one for the source when this process
 * is the one that hashes it. Their URLs go into the command; their hashes are read once it ends.
 */
export interface GroupSinks {
  targets: Map<string, string>;
  source: string | undefined;
  /** Every output's hashes (and the source's), once FFmpeg has ended well. */
  collect(): Promise<GroupHashes>;
  close(): Promise<void>;
}

export interface GroupHashes {
  outputs: Map<string, FrameHash[]>;
  source: FrameHash[] | null;
}

export async function openGroupSinks(
  media: MediaInfo,
  maxLongSide: number,
  group: readonly RenderTarget[],
  withSource: boolean,
): Promise<GroupSinks> {
  const geometry = outputGeometry(media, maxLongSide);
  const size = hashFrameSize(geometry.width, geometry.height, HASH_FRAME_MAX_SIDE);
  // Sockets hold no data, and their paths must stay short: the system's temporary folder.
  // The branches send the luma plane as coded (hashBranchFilters): limited range.
  const open = (rate: number) =>
    openFrameSink({ socketDir: os.tmpdir(), ...size, format: 'gray', range: 'limited', rate });
  const sinks = new Map<string, FrameSink>();
  let source: FrameSink | null = null;
  const close = async () => {
    await Promise.all([...sinks.values(), ...(source ? [source] : [])].map((s) => s.close()));
  };
  try {
    for (const t of group) sinks.set(t.outputId, await open(VARIATION_HASH_FPS));
    if (withSource) source = await open(geometry.fps);
  } catch (error) {
    await close();
    throw error;
  }
  return {
    targets: new Map([...sinks].map(([id, sink]) => [id, sink.target])),
    source: source?.target,
    async collect() {
      const outputs = new Map<string, FrameHash[]>();
      for (const [id, sink] of sinks) outputs.set(id, await sink.hashes());
      return { outputs, source: source ? await source.hashes() : null };
    },
    close,
  };
}
