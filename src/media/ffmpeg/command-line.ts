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

export interface ScheduledCommand {
  args: string[];
  /** Process slots it takes (see process-slots.ts). */
  slots: number;
}

/**
 * Lines of a shell script that runs commands in order on `capacity` process slots, as the engine
 * does: each starts in the background once enough slots are free (`wait -n` frees one when every
 * running process holds one slot, `wait` frees all otherwise), so pasting it reproduces the render.
 */
export function shellScript(
  commands: ScheduledCommand[],
  capacity: number,
  format: (args: string[]) => string,
): string[] {
  if (capacity <= 1) return commands.map((c) => format(c.args));
  const lines: string[] = [];
  const running: number[] = [];
  for (const command of commands) {
    const slots = Math.min(capacity, command.slots);
    while (running.reduce((a, b) => a + b, 0) + slots > capacity) {
      if (running.every((s) => s === 1)) {
        lines.push('wait -n');
        running.pop();
      } else {
        lines.push('wait');
        running.length = 0;
      }
    }
    lines.push(`${format(command.args)} &`);
    running.push(slots);
  }
  if (running.length > 0) lines.push('wait');
  return lines;
}
