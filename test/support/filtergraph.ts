/**
 * The filter names in a `-filter_complex` graph: chains split at `;`, filters at `,`, outside quoted
 * arguments (lutyuv expressions and convolution kernels hold commas), link labels dropped.
 */
export function filterNames(graph: string): string[] {
  const segments: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of graph) {
    if (char === "'") quoted = !quoted;
    if (!quoted && (char === ',' || char === ';')) {
      segments.push(current);
      current = '';
    } else current += char;
  }
  segments.push(current);
  return segments.map((segment) => {
    const name = /^(?:\[[^\]]*\])*\s*([A-Za-z0-9_]+)/.exec(segment)?.[1];
    if (!name) throw new Error(`no filter name in "${segment}"`);
    return name;
  });
}

/** The graph of a render command's arguments. */
export function filterGraphOf(args: readonly string[]): string {
  const at = args.indexOf('-filter_complex');
  if (at < 0) throw new Error('no -filter_complex in the command');
  return args[at + 1] as string;
}

/** Every filter a command names, in its graph (`-filter_complex`) and its simple chains (`-vf`, `-af`). */
export function commandFilterNames(args: readonly string[]): string[] {
  return args.flatMap((arg, i) =>
    ['-filter_complex', '-vf', '-af'].includes(arg) ? filterNames(args[i + 1] as string) : [],
  );
}
