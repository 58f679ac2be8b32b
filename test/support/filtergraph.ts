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
