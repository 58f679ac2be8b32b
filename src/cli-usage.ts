import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { batchNameProblem } from './batch-name.js';
import { exclusionProblem, normaliseExclusions } from './media/index.js';

/** Bad command-line usage: the CLI prints the message and a pointer to --help, and exits 2. */
export class UsageError extends Error {}

/** The options every command that makes a batch takes, local or remote. */
export const BATCH_OPTIONS = {
  count: { type: 'string', short: 'n' },
  intensity: { type: 'string', short: 'i' },
  seed: { type: 'string', short: 's' },
  out: { type: 'string', short: 'o' },
  help: { type: 'boolean', short: 'h' },
  name: { type: 'string' },
  exclude: { type: 'string' },
  // A negative flag because protection is the default: turning it off is the choice to say out loud.
  'no-protect-text': { type: 'boolean' },
} as const satisfies ParseArgsOptionsConfig;

/** --name, --exclude and --no-protect-text, checked as the API checks them. */
export function batchChoices(values: { name?: string; exclude?: string; 'no-protect-text'?: boolean }): {
  name?: string;
  exclude: string[];
  protectText: boolean;
} {
  const exclude = (values.exclude ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
  const problem = exclusionProblem(exclude);
  if (problem) throw new UsageError(`--exclude: ${problem}`);
  const nameProblem = values.name === undefined ? null : batchNameProblem(values.name);
  if (nameProblem) throw new UsageError(`--name ${nameProblem}`);
  return {
    ...(values.name === undefined ? {} : { name: values.name.trim() }),
    exclude: normaliseExclusions(exclude),
    protectText: values['no-protect-text'] !== true,
  };
}

/** A command's arguments, strictly parsed; anything unknown or malformed is a UsageError. */
export function parseCommandArgs<O extends ParseArgsOptionsConfig>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
