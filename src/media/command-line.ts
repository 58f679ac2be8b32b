/**
 * One line a person can paste into a POSIX shell to run exactly this argv: words made only of
 * harmless characters stay bare, everything else goes in single quotes (inside which nothing is
 * special except the quote itself, written as '\'').
 */
const BARE = /^[A-Za-z0-9_@%+=:,./-]+$/;
/** A bare first word must not look like a variable assignment (`A=b`) or a job (`%1`). */
const BARE_PROGRAM = /^[A-Za-z0-9_@+:,./-]+$/;

export function shellQuote(word: string, bare: RegExp = BARE): string {
  if (bare.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

export function formatCommand(program: string, args: string[]): string {
  return [shellQuote(program, BARE_PROGRAM), ...args.map((arg) => shellQuote(arg))].join(' ');
}

/**
 * Lines of a shell script that runs commands `lanes` at a time, in waves of background jobs: how
 * the engine runs one source's processes, written so that pasting it reproduces the render.
 */
export function shellScript(
  batch: { lanes: number; commands: string[][] },
  format: (args: string[]) => string,
) {
  if (batch.lanes <= 1) return batch.commands.map(format);
  const lines: string[] = [];
  batch.commands.forEach((args, i) => {
    lines.push(`${format(args)} &`);
    if ((i + 1) % batch.lanes === 0 || i === batch.commands.length - 1) lines.push('wait');
  });
  return lines;
}
