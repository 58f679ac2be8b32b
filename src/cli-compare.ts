import { stat } from 'node:fs/promises';
import path from 'node:path';
import { parseCommandArgs, UsageError } from './cli-usage.js';
import { isUserError } from './errors.js';
import {
  compareVideoFiles,
  describeComparison,
  engineOptions,
  FfmpegError,
  type VideoComparison,
} from './media/index.js';

/**
 * Exit codes of `vidvar compare`. "Not measurable" gets its own code: it is neither a verdict
 * (calling it distinct would claim what vPDQ cannot see) nor a failure (the files were fine), and a
 * script that retries or reports errors on 2 must not do so for a blank video.
 */
export const COMPARE_EXIT = { distinct: 0, match: 1, error: 2, notMeasurable: 3 } as const;

export async function compare(args: string[], help: string): Promise<number> {
  const { values, positionals } = parseCompareArgs(args);
  if (values.help) {
    process.stdout.write(`${help}\n`);
    return 0;
  }
  if (positionals.length !== 2) throw new UsageError('give exactly two videos: vidvar compare A B');
  const [a, b] = positionals.map((p) => path.resolve(p)) as [string, string];
  const [nameA, nameB] = [path.basename(a), path.basename(b)];
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let result: VideoComparison;
  try {
    await Promise.all([mustBeFile(a, nameA), mustBeFile(b, nameB)]);
    result = await compareVideoFiles(
      { file: a, name: nameA },
      { file: b, name: nameB },
      { engine: engineOptions() },
      controller.signal,
    );
  } catch (error) {
    process.stderr.write(`vidvar: ${failureLine(error, controller.signal.aborted)}\n`);
    return COMPARE_EXIT.error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    // Two files of one name (ad.mp4 and its copy in another folder): the sentence names them as typed.
    const same = nameA === nameB;
    const [shownA, shownB] = same ? (positionals as [string, string]) : [nameA, nameB];
    process.stdout.write(`${describeComparison(result, shownA, shownB)}\n`);
  }
  if (result.verdict === 'not_measurable') return COMPARE_EXIT.notMeasurable;
  return result.match ? COMPARE_EXIT.match : COMPARE_EXIT.distinct;
}

function parseCompareArgs(args: string[]) {
  return parseCommandArgs(args, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
}

class InputError extends Error {}

/** Said before admission: a path that is no file at all is the user's typo, not a refused video. */
async function mustBeFile(file: string, name: string): Promise<void> {
  const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new InputError(`${name} does not exist.`);
    if (error.code === 'EACCES') throw new InputError(`${name} cannot be read (permission denied).`);
    throw error;
  });
  if (!info.isFile()) throw new InputError(`${name} is not a file.`);
}

/** One line for any failure: the refusal sentence uploads get, or what went wrong, never a stack. */
function failureLine(error: unknown, stopped: boolean): string {
  if (stopped) return 'comparison stopped.';
  if (error instanceof InputError || isUserError(error)) return error.message;
  if (error instanceof FfmpegError) return `FFmpeg could not read the frames: ${firstLine(error.message)}`;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES') return 'a file cannot be read (permission denied).';
  return `comparison failed: ${firstLine(error instanceof Error ? error.message : String(error))}`;
}

function firstLine(text: string): string {
  return text.split('\n')[0]?.trim() ?? '';
}
