import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import type { LumaRange, PixelFormat } from './jarosz.js';
import { PdqHasher } from './pdq.js';
import type { FrameHash } from './vpdq-hash-file.js';

/**
 * A Unix socket that FFmpeg writes raw frames to (an output URL `unix:<path>`), hashed with PDQ as
 * they arrive: no frame touches the disk, and a slow reader simply makes FFmpeg wait. The socket
 * sits in a fresh private folder. Used for a file hashed on its own (video-hashes.ts) and for the
 * hash branches of a render (render.ts).
 */
export interface FrameSinkSpec {
  /** A folder for the socket (its path must stay under ~100 characters). */
  socketDir: string;
  width: number;
  height: number;
  format: PixelFormat;
  /** Gray bytes straight from a video's luma plane are `limited` (see LumaFrame); default `full`. */
  range?: LumaRange;
  /** Frames a second of what arrives: gives each hash its time. */
  rate: number;
}

export interface FrameSink {
  /** The FFmpeg output URL. */
  target: string;
  /** Once FFmpeg has ended: every frame's hash (none when FFmpeg never connected). */
  hashes(): Promise<FrameHash[]>;
  /** Closes the socket and deletes its folder; always call it. */
  close(): Promise<void>;
}

export async function openFrameSink(spec: FrameSinkSpec): Promise<FrameSink> {
  const frameBytes = spec.width * spec.height * (spec.format === 'rgb24' ? 3 : 1);
  const hasher = new PdqHasher();
  const frame = new Uint8Array(frameBytes);
  const hashes: FrameHash[] = [];
  let filled = 0;
  const take = (chunk: Buffer) => {
    let offset = 0;
    while (offset < chunk.length) {
      const n = Math.min(frameBytes - filled, chunk.length - offset);
      frame.set(chunk.subarray(offset, offset + n), filled);
      filled += n;
      offset += n;
      if (filled === frameBytes) {
        const { hex, quality } = hasher.hash({
          data: frame,
          width: spec.width,
          height: spec.height,
          format: spec.format,
          range: spec.range ?? 'full',
        });
        const index = hashes.length;
        hashes.push({ index, timeSec: Math.round((index / spec.rate) * 1000) / 1000, quality, hex });
        filled = 0;
      }
    }
  };
  const dir = await mkdtemp(path.join(spec.socketDir, 'pdq-'));
  const socketPath = path.join(dir, 'frames.sock');
  const server = createServer();
  const received = receiveOne(server, take);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, resolve);
    });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    target: `unix:${socketPath}`,
    async hashes() {
      // FFmpeg opens its output with the first frame: a video that gives none never connects.
      if (received.connected) await received.ended;
      return hashes;
    },
    async close() {
      server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Feeds `onData` every chunk of the first connection to `server`; `ended` settles when it closes. */
function receiveOne(
  server: Server,
  onData: (chunk: Buffer) => void,
): { connected: boolean; ended: Promise<void> } {
  const state = { connected: false, ended: Promise.resolve() };
  state.ended = new Promise((resolve, reject) => {
    server.once('connection', (socket: Socket) => {
      state.connected = true;
      socket.on('data', (chunk: Buffer) => {
        try {
          onData(chunk);
        } catch (error) {
          socket.destroy(error as Error);
        }
      });
      socket.once('error', reject);
      socket.once('close', () => resolve());
    });
  });
  // Awaited only once FFmpeg has run; until then a socket error must not count as unhandled.
  state.ended.catch(() => undefined);
  return state;
}
