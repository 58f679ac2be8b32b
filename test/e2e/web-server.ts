import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { newDataDir } from '../support/data-dir.js';
import { REPO_ROOT, startVidvar, type VidvarProcess } from '../support/server-process.js';

const WEB_DIR = path.join(REPO_ROOT, 'web');
const WEB_INDEX = path.join(WEB_DIR, 'dist', 'index.html');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds web/dist when it is missing or older than the client's sources. */
function ensureWebBuilt(): void {
  const sourcesChanged =
    existsSync(WEB_INDEX) &&
    Math.max(newestMtime(path.join(WEB_DIR, 'src')), statSync(path.join(WEB_DIR, 'index.html')).mtimeMs) >
      statSync(WEB_INDEX).mtimeMs;
  if (existsSync(WEB_INDEX) && !sourcesChanged) return;
  const vite = path.join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  execFileSync(process.execPath, [vite, 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

const serverEnv = (env: Record<string, string>) => ({ LOG_LEVEL: 'warn', X264_PRESET: 'ultrafast', ...env });

/** The real server serving an up-to-date web client, on a fresh DATA_DIR. */
export async function startWebServer(
  password: string,
  env: Record<string, string> = {},
): Promise<VidvarProcess> {
  ensureWebBuilt();
  const dataDir = newDataDir();
  try {
    return await startVidvar(dataDir, { password, env: serverEnv(env) });
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

export async function stopWebServer(server: VidvarProcess): Promise<void> {
  await server.stop();
  rmSync(server.dataDir, { recursive: true, force: true });
}

/**
 * The server dies (SIGKILL: a crash, a machine lost) and starts again on the same address and data
 * folder with the same settings, so the page in the browser can carry on.
 */
export async function crashAndRestart(
  server: VidvarProcess,
  password: string,
  env: Record<string, string> = {},
  whileDown: () => Promise<void> = async () => undefined,
): Promise<VidvarProcess> {
  const port = new URL(server.url).port;
  await server.kill();
  await whileDown();
  return startVidvar(server.dataDir, { password, env: { ...serverEnv(env), PORT: port } });
}
