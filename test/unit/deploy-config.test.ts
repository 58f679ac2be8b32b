import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** The deploy files carry the settings the server-side pitfalls require; a careless edit fails here. */
const root = path.resolve(import.meta.dirname, '..', '..');
const flyToml = readFileSync(path.join(root, 'fly.toml'), 'utf8');
const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
const packageJson = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  devDependencies: Record<string, string>;
  dependencies: Record<string, string>;
};

function tomlValue(key: string): string | undefined {
  const match = flyToml.match(new RegExp(`^\\s*${key}\\s*=\\s*(.+?)\\s*$`, 'm'));
  return match?.[1]?.replace(/^"|"$/g, '');
}

describe('fly.toml', () => {
  it('mounts a 3 GB volume at /data and keeps all state there', () => {
    expect(flyToml).toMatch(/\[\[mounts\]\][^[]*destination\s*=\s*"\/data"/);
    expect(tomlValue('initial_size')).toBe('3gb');
    expect(tomlValue('DATA_DIR')).toBe('/data');
    expect(tomlValue('TMPDIR')).toMatch(/^\/data\//);
  });

  it('never stops the machine under a running job, and gives SIGTERM the maximum grace', () => {
    const autoStop = tomlValue('auto_stop_machines');
    const minRunning = Number(tomlValue('min_machines_running') ?? 0);
    expect(autoStop === 'off' || autoStop === 'false' || minRunning >= 1).toBe(true);
    expect(tomlValue('kill_signal')).toBe('SIGTERM');
    expect(Number(tomlValue('kill_timeout'))).toBe(300);
    expect(Number(tomlValue('SHUTDOWN_GRACE_SECONDS'))).toBeLessThan(300);
  });

  it('forces HTTPS, checks health, and sizes the machine with one FFmpeg thread', () => {
    expect(tomlValue('force_https')).toBe('true');
    expect(tomlValue('path')).toBe('/api/health');
    expect(tomlValue('size')).toBe('shared-cpu-1x');
    expect(tomlValue('memory')).toBe('512mb');
    expect(tomlValue('FFMPEG_THREADS')).toBe('1');
  });
});

describe('Dockerfile', () => {
  const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

  it('runs on the Node major the npm scripts run on, on Debian bookworm, with FFmpeg from apt checked at build time', () => {
    const major = packageJson.devDependencies.node?.split('.')[0];
    expect(major).toBe('24');
    const images = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(images).toEqual([`node:${major}-bookworm-slim`, `node:${major}-bookworm-slim`]);
    expect(finalStage).toMatch(/apt-get install[^\n]*\bffmpeg\b/);
    expect(finalStage).toMatch(/ffmpeg -version/);
  });

  it('installs production dependencies only, with the web client built', () => {
    expect(dockerfile).toMatch(/npm ci/);
    expect(dockerfile).toMatch(/--omit=dev/);
    // The pinned Node binary (190 MB) is for npm scripts on a machine with an older Node, not for the image.
    expect(packageJson.dependencies.node).toBeUndefined();
    expect(dockerfile).toMatch(/vite build/);
    expect(finalStage).toMatch(/web\/dist/);
  });

  it('runs as a non-root user under an init process, with TMPDIR on the volume', () => {
    expect(finalStage).toMatch(/^USER (?!root)\w+/m);
    expect(finalStage).toMatch(/ENTRYPOINT \["\/usr\/bin\/tini", "--"\]/);
    expect(finalStage).toMatch(/TMPDIR=\/data\//);
    expect(finalStage).toMatch(/DATA_DIR=\/data/);
  });
});
