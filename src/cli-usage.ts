import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';

/** Bad command-line usage: the CLI prints the message and a pointer to --help, and exits 2. */
export class UsageError extends Error {}

/** The options every command that makes a batch takes, local or remote. */
export const BATCH_OPTIONS = {
  count: { type: 'string', short: 'n' },
  intensity: { type: 'string', short: 'i' },
  seed: { type: 'string', short: 's' },
  out: { type: 'string', short: 'o' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig;

/** A command's arguments, strictly parsed; anything unknown or malformed is a UsageError. */
export function parseCommandArgs<O extends ParseArgsOptionsConfig>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
