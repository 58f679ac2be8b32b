import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../../src/config.js';

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

describe('past one machine', () => {
  const scaleToml = readFileSync(path.join(root, 'fly.scale.toml'), 'utf8');
  const compose = parseYaml(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<
      string,
      {
        command?: string[];
        image?: string;
        environment?: Record<string, string>;
        deploy?: { replicas?: number };
      }
    >;
  };

  it('fly.scale.toml runs an app group that serves and renders nothing, and a worker group that only renders', () => {
    expect(scaleToml).toMatch(
      /^\s*app = "\/usr\/bin\/env WORKER_CONCURRENCY=0 node bin\/vidvar\.js serve"$/m,
    );
    expect(scaleToml).toMatch(
      /^\s*worker = "\/usr\/bin\/env WORKER_CONCURRENCY=1 node bin\/vidvar\.js worker"$/m,
    );
    expect(scaleToml).toMatch(/\[http_service\][^[]*processes = \["app"\]/);
    expect(scaleToml).toMatch(
      /\[\[mounts\]\][^[]*destination = "\/data"[^[]*processes = \["app", "worker"\]/,
    );
    expect(scaleToml).toMatch(/^kill_timeout = 300$/m);
  });

  it('docker-compose.yml runs Redis, an S3-compatible store, one API and two workers', () => {
    const { api, worker, redis } = compose.services;
    expect(api?.command).toEqual(['node', 'bin/vidvar.js', 'serve']);
    expect(api?.environment?.WORKER_CONCURRENCY).toBe('0');
    expect(worker?.command).toEqual(['node', 'bin/vidvar.js', 'worker']);
    expect(worker?.deploy?.replicas).toBe(2);
    expect(redis?.image).toMatch(/^redis:/);
    expect(compose.services.minio?.image).toMatch(/minio/);
  });

  it('gives every vidvar service a configuration the server accepts, with Redis and the bucket on', () => {
    for (const name of ['api', 'worker']) {
      const env = { ...compose.services[name]?.environment, APP_PASSWORD: 'a password for the test' };
      const config = loadConfig(env);
      expect(config.REDIS_URL).toBe('redis://redis:6379');
      expect(config.S3_BUCKET).toBe('vidvar');
      expect(config.S3_FORCE_PATH_STYLE).toBe(true);
    }
  });
});
