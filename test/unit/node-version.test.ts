import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..');
const bin = path.join(root, 'bin', 'vidvar.js');
const pinned = (
  JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { devDependencies: { node: string } }
).devDependencies.node;

// Every process of the tree says which Node it was when it ends (execArgv reaches a relaunched child).
const REPORT_NODE = `--import=data:text/javascript,process.on('exit',()=>process.stderr.write('node '+process.version+'\\n'))`;

async function nodesOfCli(node: string): Promise<{ stdout: string; nodes: string[] }> {
  const { stdout, stderr } = await exec(node, [REPORT_NODE, bin, '--version'], { cwd: root });
  return { stdout, nodes: stderr.split('\n').filter((line) => line.startsWith('node ')) };
}

describe('the Node that runs vidvar', () => {
  it('is the Node 24 LTS that package.json pins, whatever Node the system has', () => {
    expect(pinned).toMatch(/^24\.\d+\.\d+$/);
    expect(process.version).toBe(`v${pinned}`);
  });

  it('runs the CLI on it when started by the node on PATH, as npm scripts and npx do', async () => {
    const { stdout, nodes } = await nodesOfCli('node');
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(nodes).toEqual([`node v${pinned}`]);
  });

  it.skipIf(!existsSync('/usr/bin/node'))(
    "hands the CLI over to it when started by the system's node",
    async () => {
      const { stdout, nodes } = await nodesOfCli('/usr/bin/node');
      expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
      expect(nodes).toContain(`node v${pinned}`);
    },
  );
});
