import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { compare } from './cli-compare.js';
import { PLACEMENT_HELP, PLACEMENT_OPTIONS, placementChoice } from './cli-placement.js';
import { REMOTE_HELP, remote } from './cli-remote.js';
import { BATCH_OPTIONS, batchChoices, parseCommandArgs, UsageError } from './cli-usage.js';
import {
  type BatchEvent,
  batchScript,
  engineOptions,
  INTENSITIES,
  type Intensity,
  prepareBatch,
  runBatch,
} from './media/index.js';
import { VERSION } from './version.js';

const HELP = `vidvar ${VERSION} — many distinct variations of your ad videos, rendered by FFmpeg

Usage:
  vidvar make <input...> --count N --out DIR [options]
  vidvar compare A B [--json]       would Meta's open video matcher (vPDQ) call B a copy of A?
  vidvar serve                      run the web app and HTTP API (configured by environment)
  vidvar worker                     only render, taking jobs from Redis (REDIS_URL; see README,
                                    "Running on several machines")
  vidvar remote make <input...> --server URL --token T --count N --out DIR
                                    the same batch, rendered by a vidvar server (see below)

Options for make:
  -n, --count N            variations per input (1-200)
  -i, --intensity LEVEL    subtle | medium | strong (default: medium)
  -s, --seed S             seed for reproducible plans (default: random, printed)
      --exclude LIST       effects or families to leave out, e.g. mirror,pitch or audio
                           (families: framing, colour, texture, timing, audio)
      --no-protect-text    allow mirroring and reframing beyond the 5 % text-safe margin
                           (Protect text and logos is on by default)
      --name NAME          the batch's name, recorded in manifest.json
  -o, --out DIR            output folder: DIR/<name>/<name>-v01.mp4 … and DIR/manifest.json
  -c, --concurrency K      inputs in progress at once (default: all; they share the cores)
  -p, --processes P        FFmpeg processes at once per input (default: one per core)
      --threads T          decoder threads per FFmpeg process (default: 0 = cores / processes)
      --fan-out F          outputs per FFmpeg process from one decode (default: auto)
      --preset P           x264 preset (default: ultrafast, with CABAC and deblocking)
${PLACEMENT_HELP}
      --print-commands     print the FFmpeg commands a run would execute, render nothing
      --json               print the manifest as JSON on stdout when done
  -h, --help               this help
  -v, --version            the version

Options for compare:
      --json               print {match, verdict, queryMatchedPercent, comparedMatchedPercent,
                           nearestBits, frame counts} instead of a sentence

Exit code of make: 0 when every input was admitted and every variation rendered, 1 otherwise,
2 on bad usage.
Exit code of compare: 0 distinct, 1 match (at least 80 % of B's frames have a match in A),
2 bad usage or an input that cannot be read (refused like an upload), 3 not measurable (too few
frames with enough detail, e.g. a blank video).

${REMOTE_HELP}`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(`${HELP}\n`);
    return command === undefined ? 2 : 0;
  }
  if (command === '-v' || command === '--version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  try {
    if (command === 'make') return await make(rest);
    if (command === 'compare') return await compare(rest, HELP);
    if (command === 'remote') return await remote(rest);
    if (command === 'serve') {
      const { startServer } = await import('./main.js');
      await startServer();
      return -1;
    }
    if (command === 'worker') {
      const { startWorker } = await import('./worker-main.js');
      await startWorker();
      return -1;
    }
    throw new UsageError(`unknown command "${command}"`);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`vidvar: ${error.message}\nRun "vidvar --help" for usage.\n`);
    return 2;
  }
}

async function make(args: string[]): Promise<number> {
  const { values, positionals } = parseMakeArgs(args);
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('give at least one input video');
  const count = integer(values.count, '--count', 1, 200);
  if (values.out === undefined) throw new UsageError('--out DIR is required');
  const intensity = (values.intensity ?? 'medium') as Intensity;
  if (!INTENSITIES.includes(intensity)) throw new UsageError('--intensity must be subtle, medium or strong');
  const choice = placementChoice(values);
  const seed = values.seed ?? randomBytes(6).toString('hex');
  const choices = batchChoices(values);
  const concurrency =
    values.concurrency === undefined ? 0 : integer(values.concurrency, '--concurrency', 1, 64);
  const fanOut = values['fan-out'] === undefined ? 'auto' : integer(values['fan-out'], '--fan-out', 1, 16);
  const outDir = path.resolve(values.out);
  const options = engineOptions({
    threads: values.threads === undefined ? 0 : integer(values.threads, '--threads', 0, 64),
    fanOut,
    ...(values.processes === undefined ? {} : { cpus: integer(values.processes, '--processes', 1, 64) }),
    ...(values.preset ? { preset: values.preset } : {}),
    tmpDir: path.join(outDir, '.vidvar-work'),
  });
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const reporter = createReporter(Boolean(process.stderr.isTTY), values.json === true);
  const request = {
    inputs: positionals.map((p) => path.resolve(p)),
    count,
    intensity,
    seed,
    ...choices,
    outDir,
    concurrency,
    options,
    toolVersion: VERSION,
    signal: controller.signal,
    onEvent: reporter,
    choice,
  };
  try {
    const sources = await prepareBatch(request);
    if (values['print-commands']) {
      process.stdout.write(`${batchScript(sources, options, outDir).join('\n')}\n`);
      return sources.length === positionals.length ? 0 : 1;
    }
    if (!values.json) process.stderr.write(`seed ${seed}\n`);
    const result = await runBatch(request, sources);
    reporter({ type: 'progress', done: -1, total: 0, fraction: 1 });
    if (values.json) process.stdout.write(`${JSON.stringify(result.manifest, null, 2)}\n`);
    else
      process.stderr.write(
        `wrote ${result.manifest.outputs.length - result.failed} variations and manifest.json to ${outDir}\n`,
      );
    return result.refused === 0 && result.failed === 0 ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function parseMakeArgs(args: string[]) {
  return parseCommandArgs(args, {
    ...BATCH_OPTIONS,
    ...PLACEMENT_OPTIONS,
    concurrency: { type: 'string', short: 'c' },
    threads: { type: 'string' },
    processes: { type: 'string', short: 'p' },
    'fan-out': { type: 'string' },
    preset: { type: 'string' },
    'print-commands': { type: 'boolean' },
    json: { type: 'boolean' },
  });
}

function integer(value: string | undefined, name: string, min: number, max: number): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`${name} must be a whole number from ${min} to ${max}`);
  }
  return n;
}

/** A progress bar on a terminal, one plain line per event otherwise (logs, CI, pipes). */
function createReporter(tty: boolean, quiet: boolean): (event: BatchEvent) => void {
  let lastBar = '';
  return (event) => {
    if (event.type === 'refused') {
      if (tty && lastBar) process.stderr.write('\n');
      process.stderr.write(`refused ${path.basename(event.input)}: ${event.message}\n`);
      lastBar = '';
      return;
    }
    if (event.type === 'warning') {
      if (tty && lastBar) process.stderr.write('\n');
      process.stderr.write(`warning ${path.basename(event.input)}: ${event.message}\n`);
      lastBar = '';
      return;
    }
    if (event.type === 'ffmpeg-changed') {
      if (tty && lastBar) process.stderr.write('\n');
      process.stderr.write(`note: ${event.note}\n`);
      lastBar = '';
      return;
    }
    if (quiet) return;
    if (event.type === 'output') {
      const line = event.result.ok
        ? `done ${event.file} (${(event.result.sizeBytes / 1e6).toFixed(1)} MB)`
        : `failed ${event.file}: ${event.result.message}`;
      if (!tty) process.stderr.write(`${line}\n`);
      else if (!event.result.ok) process.stderr.write(`\n${line}\n`);
      return;
    }
    if (event.type === 'progress' && tty) {
      if (event.done === -1) {
        if (lastBar) process.stderr.write('\n');
        return;
      }
      const width = 30;
      const filled = Math.round(event.fraction * width);
      const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.floor(event.fraction * 100)}% ${event.done}/${event.total}`;
      if (bar !== lastBar) process.stderr.write(`\r${bar}`);
      lastBar = bar;
    }
  };
}
