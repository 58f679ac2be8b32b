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
