import { randomBytes } from 'node:crypto';
import { startVidvar } from '../test/support/server-process.js';
import { ApiClient } from './api-client.js';

/**
 * The real server as users start it (`node bin/vidvar.js serve`), as a child on 127.0.0.1 with its own
 * data folder, signed in once.
 */

export interface RunningServer {
  pid: number;
  dataDir: string;
  client: ApiClient;
  /** SIGTERM (the server drains and exits 0), SIGKILL after 30 s; resolves to the exit code. */
  stop(): Promise<number | null>;
}

export async function startServer(dataDir: string): Promise<RunningServer> {
  const password = randomBytes(12).toString('base64url');
  const proc = await startVidvar(dataDir, {
    password,
    env: { LOG_LEVEL: 'warn', SHUTDOWN_GRACE_SECONDS: '5' },
  });
  const stop = async () => (await proc.stop(30_000)).code;
  try {
    const client = await ApiClient.signIn(proc.url, password);
    return { pid: proc.pid, dataDir, client, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
