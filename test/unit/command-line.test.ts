import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { formatCommand, shellScript } from '../../src/media/ffmpeg/command-line.js';

/** Runs the printed line through bash and returns the argv printf received, NUL-separated. */
function argvThroughBash(words: string[]): string[] {
  const line = formatCommand('printf', ['%s\\0', ...words]);
  const out = execFileSync('bash', ['-c', line], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

describe('formatCommand', () => {
  it('leaves plain FFmpeg words bare so a printed command stays readable', () => {
    const line = formatCommand('ffmpeg', [
      '-i',
      'in/clip.mp4',
      '-vf',
      'scale=1280:-2,crop=720:1280',
      '-crf',
      '23',
    ]);
    expect(line).toBe('ffmpeg -i in/clip.mp4 -vf scale=1280:-2,crop=720:1280 -crf 23');
  });

  it('round-trips awkward arguments through bash exactly', () => {
    const words = [
      "it's",
      'two words',
      '',
      '"double"',
      '$HOME',
      '`id`',
      '$(id)',
      'a;b && c | d',
      '*.mp4',
      '~',
      'back\\slash',
      'line\nbreak',
      'tab\there',
      '!event',
      "'",
      "''",
      'émoji 🎬',
      '-n',
      "[0:v]drawtext=text='It''s':x=10[v]",
    ];
    expect(argvThroughBash(words)).toEqual(words);
  });

  it('quotes a program name bash would read as an assignment or a job', () => {
    expect(formatCommand('A=b', ['x'])).toBe("'A=b' x");
    expect(formatCommand('%1', [])).toBe("'%1'");
    expect(formatCommand('/usr/bin/ffmpeg', [])).toBe('/usr/bin/ffmpeg');
  });
});

describe('shellScript', () => {
  const format = (args: string[]) => `ffmpeg ${args.join(' ')}`;
  const commands = (...slots: number[]) => slots.map((s, i) => ({ args: [`p${i}`], slots: s }));

  it('prints plain lines for one slot, and a pool of background jobs for more', () => {
    expect(shellScript(commands(1, 1), 1, format)).toEqual(['ffmpeg p0', 'ffmpeg p1']);
    expect(shellScript(commands(1, 1, 1, 1), 2, format)).toEqual([
      'ffmpeg p0 &',
      'ffmpeg p1 &',
      'wait -n',
      'ffmpeg p2 &',
      'wait -n',
      'ffmpeg p3 &',
      'wait',
    ]);
  });

  it('waits for everything before a process that needs more than one slot', () => {
    expect(shellScript(commands(1, 2, 1), 2, format)).toEqual([
      'ffmpeg p0 &',
      'wait -n',
      'ffmpeg p1 &',
      'wait',
      'ffmpeg p2 &',
      'wait',
    ]);
  });
});
