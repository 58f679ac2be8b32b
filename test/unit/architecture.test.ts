import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layering of DESIGN.md, checked on the source text: every import of src/ and web/ parsed, cycles
 * searched depth-first, and each layer's imports held to what it may depend on.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
const SRC = path.join(ROOT, 'src');
const WEB = path.join(ROOT, 'web');
const MAX_LINES = 300;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts'))
    .map((e) => path.join(e.parentPath, e.name))
    .filter((f) => !f.split(path.sep).includes('node_modules'))
    .sort();
}

/** Every module specifier a file names: static imports and re-exports, side-effect and dynamic imports. */
function specifiers(text: string): string[] {
  const patterns = [
    /\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  return patterns.flatMap((re) => [...text.matchAll(re)].map((m) => m[1] as string));
}

/** The file a relative specifier names (`./x.js` is `./x.ts` in the source), or null for a package. */
function resolve(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const target = path.resolve(path.dirname(from), spec);
  for (const candidate of [target.replace(/\.js$/, '.ts'), target.replace(/\.js$/, '.tsx'), target]) {
    if (candidate.match(/\.tsx?$/) && exists(candidate)) return candidate;
  }
  return target;
}

const known = new Set([...sourceFiles(SRC), ...sourceFiles(WEB)]);
const exists = (file: string) => known.has(file);

interface Module {
  file: string;
  relative: string[];
  packages: string[];
}

function modules(dir: string): Module[] {
  return sourceFiles(dir).map((file) => {
    const specs = specifiers(readFileSync(file, 'utf8'));
    return {
      file,
      relative: specs.map((s) => resolve(file, s)).filter((f): f is string => f !== null),
      packages: specs.filter((s) => !s.startsWith('.')),
    };
  });
}

/** One import cycle as a path of files, or null: depth-first search with the files on the stack marked. */
function findCycle(graph: Map<string, string[]>): string[] | null {
  const done = new Set<string>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const visit = (node: string): string[] | null => {
    if (onStack.has(node)) return [...stack.slice(stack.indexOf(node)), node];
    if (done.has(node)) return null;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    onStack.delete(node);
    done.add(node);
    return null;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return null;
}

const src = modules(SRC);
const rel = (file: string) => path.relative(ROOT, file).split(path.sep).join('/');
const under = (file: string, dir: string) => rel(file).startsWith(`src/${dir}/`);
const at = (file: string, name: string) => rel(file) === `src/${name}`;

/** Imports of the files matching `from` that name something `forbidden` says they may not. */
function violations(from: (file: string) => boolean, forbidden: (target: string) => boolean): string[] {
  return src
    .filter((m) => from(m.file))
    .flatMap((m) => m.relative.filter(forbidden).map((t) => `${rel(m.file)} → ${rel(t)}`));
}

describe('architecture', () => {
  it('parses the imports it checks (a check that finds no imports would prove nothing)', () => {
    expect(specifiers("import { a } from './a.js';\nimport type {\n  B,\n} from '../b.js';")).toEqual([
      './a.js',
      '../b.js',
    ]);
    expect(specifiers("export * from './c.js'; import './d.js'; await import('./e.js');")).toEqual([
      './c.js',
      './d.js',
      './e.js',
    ]);
    expect(src.length).toBeGreaterThan(50);
    expect(src.flatMap((m) => m.relative).length).toBeGreaterThan(200);
    expect(
      findCycle(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', ['a']],
        ]),
      ),
    ).toEqual(['a', 'b', 'c', 'a']);
    expect(
      findCycle(
        new Map([
          ['a', ['b', 'c']],
          ['b', ['c']],
          ['c', []],
        ]),
      ),
    ).toBeNull();
  });

  it('has no import cycle anywhere in src/, type-only imports included', () => {
    const graph = new Map(src.map((m) => [m.file, m.relative]));
    expect(findCycle(graph)?.map(rel) ?? null).toBeNull();
  });

  it(`has no file in src/ over ${MAX_LINES} lines`, () => {
    const long = src
      .map((m) => ({ file: rel(m.file), lines: readFileSync(m.file, 'utf8').split('\n').length - 1 }))
      .filter((f) => f.lines > MAX_LINES);
    expect(long).toEqual([]);
  });

  it('imports only files that exist', () => {
    expect(
      src.flatMap((m) => m.relative.filter((t) => !exists(t)).map((t) => `${rel(m.file)} → ${t}`)),
    ).toEqual([]);
  });

  it('points down only: media and lib know nothing above them, storage nothing of jobs or http, jobs nothing of http', () => {
    const top = (t: string) => ['cli.ts', 'main.ts', 'server.ts'].some((name) => at(t, name));
    const inMedia = (f: string) => under(f, 'media');
    expect(violations(inMedia, (t) => !inMedia(t) && !under(t, 'lib') && !at(t, 'errors.ts'))).toEqual([]);
    expect(
      violations(
        (f) => under(f, 'lib'),
        (t) => !under(t, 'lib'),
      ),
    ).toEqual([]);
    expect(
      violations(
        (f) => under(f, 'storage'),
        (t) => under(t, 'jobs') || under(t, 'http') || top(t),
      ),
    ).toEqual([]);
    expect(
      violations(
        (f) => under(f, 'jobs'),
        (t) => under(t, 'http') || top(t),
      ),
    ).toEqual([]);
    expect(violations((f) => under(f, 'http'), top)).toEqual([]);
  });

  it('reaches media only through media/index.ts from jobs, http, storage, the CLI and the server', () => {
    const above = (f: string) =>
      !under(f, 'media') && !under(f, 'lib') && !at(f, 'errors.ts') && !at(f, 'version.ts');
    expect(violations(above, (t) => under(t, 'media') && !at(t, 'media/index.ts'))).toEqual([]);
    // The rule holds for something: these layers do use the engine.
    expect(src.some((m) => above(m.file) && m.relative.some((t) => at(t, 'media/index.ts')))).toBe(true);
  });

  it('keeps SQLite and process spawning out of http/', () => {
    const http = src.filter((m) => under(m.file, 'http'));
    const packages = http.flatMap((m) =>
      m.packages
        .filter((p) => /^(better-sqlite3|node:sqlite|node:child_process|child_process)$/.test(p))
        .map((p) => `${rel(m.file)} → ${p}`),
    );
    expect(packages).toEqual([]);
    const store = /^src\/jobs\/(db|sqlite-job-store|migrations)\.ts$/;
    expect(
      violations(
        (f) => under(f, 'http'),
        (t) => store.test(rel(t)) || under(t, 'media/ffmpeg'),
      ),
    ).toEqual([]);
  });

  it('defines each shared thing once: the finished job states, even()', () => {
    const finishedSet = /[[(]\s*['"`]done['"`],\s*['"`]failed['"`],\s*['"`]canceled['"`]\s*[\])]/;
    const definitions = (pattern: RegExp) =>
      src.filter((m) => pattern.test(readFileSync(m.file, 'utf8'))).map((m) => rel(m.file));
    expect(definitions(finishedSet)).toEqual(['src/job-status.ts']);
    // The API's state lists come from job-status.ts too (the migrations' CHECKs are append-only history).
    const stateList = /['"`]queued['"`],\s*['"`]running['"`]/;
    expect(definitions(stateList).filter((f) => !f.startsWith('src/jobs/'))).toEqual(['src/job-status.ts']);
    expect(definitions(/function even\(/)).toEqual(['src/media/plan/output-format.ts']);
  });

  it('keeps the web client off the server code: web/ reaches src/ only for the API contract', () => {
    // The contract: the schemas' types (erased from the bundle), the limits, the change applier and the
    // job states, the effect choices, batch names. Nothing of the server's libraries reaches the browser.
    const contract = [
      'src/http/schemas.ts',
      'src/http/limits.ts',
      'src/http/apply-change.ts',
      'src/job-status.ts',
      'src/media/effect-choice.ts',
      'src/batch-name.ts',
    ];
    const web = modules(WEB);
    expect(web.length).toBeGreaterThan(5);
    const reaching = web.flatMap((m) =>
      m.relative
        .filter((t) => t.startsWith(`${SRC}${path.sep}`) && !contract.includes(rel(t)))
        .map((t) => `${rel(m.file)} → ${rel(t)}`),
    );
    expect(reaching).toEqual([]);
    // The runtime parts of the contract import no library and nothing else of src/.
    for (const file of contract.filter((f) => f !== 'src/http/schemas.ts')) {
      const text = readFileSync(path.join(ROOT, file), 'utf8');
      const runtimeImports = [...text.matchAll(/^import (?!type )[^;]*from '([^']+)'/gm)].map((m) => m[1]);
      expect(runtimeImports, file).toEqual([]);
    }
  });
});
