#!/usr/bin/env node
// Installs what `npm start` / `npm test` need and is missing, so both work on a fresh clone:
// npm packages, FFmpeg (and Chromium and Redis for the tests) from Debian, and the built web client.
// Plain JavaScript on purpose: it runs before any dependency exists.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const wants = new Set(process.argv.slice(2));

function run(cmd, args) {
  console.error(`[setup] ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`[setup] "${cmd} ${args.join(' ')}" failed (exit ${r.status}).`);
    process.exit(1);
  }
}

function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function newestMtime(target) {
  if (!existsSync(target)) return 0;
  const s = statSync(target);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(target).map((f) => newestMtime(path.join(target, f))));
}

let aptUpdated = false;
function aptInstall(packages, why) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !has('apt-get')) {
    console.error(
      `[setup] ${why} is missing. Install it first, e.g.: sudo apt-get install ${packages.join(' ')}`,
    );
    process.exit(1);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    console.error('[setup] apt-get update');
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    aptUpdated = true;
  }
  console.error(`[setup] apt-get install ${packages.join(' ')}`);
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], {
    stdio: 'inherit',
    env,
  });
}

// 1. npm packages: install when node_modules is missing or older than the lock file.
const lock = path.join(root, 'package-lock.json');
const installed = path.join(root, 'node_modules', '.package-lock.json');
if (!existsSync(installed) || newestMtime(lock) > newestMtime(installed)) {
  run('npm', existsSync(lock) ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund']);
}

// 2. FFmpeg and ffprobe (libx264, AAC and every filter come with Debian's build).
if (wants.has('--ffmpeg') && !(has('ffmpeg') && has('ffprobe'))) aptInstall(['ffmpeg'], 'FFmpeg');

// 3. Chromium for the end-to-end tests (Debian's build; no browser download).
if (wants.has('--chromium') && !existsSync('/usr/lib/chromium/chromium'))
  aptInstall(['chromium'], 'Chromium');

// 4. Redis for the scale-out tests (Debian's redis-server; the tests start their own on a free port).
if (wants.has('--redis') && !has('redis-server')) aptInstall(['redis-server'], 'Redis');

// 5. The web client, built when missing or older than its sources.
if (wants.has('--web')) {
  const dist = path.join(root, 'web', 'dist', 'index.html');
  const sources = Math.max(
    newestMtime(path.join(root, 'web', 'src')),
    newestMtime(path.join(root, 'web', 'index.html')),
  );
  if (!existsSync(dist) || sources > newestMtime(dist))
    run('npx', ['vite', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn']);
}
