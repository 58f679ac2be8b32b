#!/usr/bin/env node
// vidvar runs on the Node 24 that package.json pins (node_modules/.bin/node): npm scripts and `npx vidvar`
// put it first on PATH. Started by an older Node instead (`node bin/vidvar.js` or `./bin/vidvar.js` with
// Debian's Node 20), this file runs itself again on the pinned binary, because the job store needs
// node:sqlite. Plain JavaScript that Node 20 can parse; the TypeScript entry point runs through tsx, so
// there is no build step.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const NEEDED_MAJOR = 24;

function relaunch(node) {
  const child = spawn(node, [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  // A terminal's Ctrl-C already reaches the child (same process group): forwarding SIGINT would give the
  // server a second one, which ends it without its graceful shutdown. SIGTERM and SIGHUP come to this
  // process alone (a supervisor, `kill`), so they are passed on.
  process.on('SIGINT', () => {});
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    if (signal === null) process.exit(code ?? 1);
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  });
}

if (Number(process.versions.node.split('.')[0]) < NEEDED_MAJOR) {
  const pinned = fileURLToPath(new URL('../node_modules/.bin/node', import.meta.url));
  if (!existsSync(pinned)) {
    console.error(`vidvar needs Node ${NEEDED_MAJOR} (this is ${process.version}): run npm install first.`);
    process.exit(1);
  }
  relaunch(pinned);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../src/cli.ts');
  const code = await main(process.argv.slice(2));
  if (code >= 0) process.exitCode = code;
}
