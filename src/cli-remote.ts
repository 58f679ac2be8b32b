import { existsSync } from 'node:fs';
import path from 'node:path';
import { PLACEMENT_HELP, PLACEMENT_OPTIONS, placementChoice } from './cli-placement.js';
import { BATCH_OPTIONS, batchChoices, parseCommandArgs, UsageError } from './cli-usage.js';
import { VidvarApiError, VidvarClient } from './client/vidvar-client.js';
import type { JobView } from './http/schemas.js';

/**
 * `vidvar remote make`: the same batch as `vidvar make`, rendered by a vidvar server. Local files are
 * uploaded, links are fetched by the server, the batch is followed live and its outputs written to the
 * same folders `vidvar make` writes.
 */
export const REMOTE_HELP = `Usage:
  vidvar remote make <file-or-link...> --server URL --token T --count N --out DIR [options]

Options for remote make:
      --server URL         the vidvar server (or VIDVAR_SERVER)
      --token T            an API token from its Settings screen (or VIDVAR_TOKEN)
  -n, --count N            variations per input (1-200)
  -i, --intensity LEVEL    subtle | medium | strong (default: medium)
  -s, --seed S             seed for reproducible plans (default: chosen by the server)
  -o, --out DIR            output folder: DIR/<name>/<name>-v01.mp4 … and DIR/manifest.json
      --webhook URL        also tell this address when the batch ends
      --name, --exclude LIST, --no-protect-text   as for vidvar make
${PLACEMENT_HELP}

Inputs that start with http:// or https:// are fetched by the server (direct links, Google Drive and
Dropbox share links); anything else is a local file. Exit code: 0 when every variation was made, 1
when the batch failed or the server refused something, 2 on bad usage.`;

const INTENSITIES = ['subtle', 'medium', 'strong'] as const;

export async function remote(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'make')
    throw new UsageError(sub ? `unknown remote command "${sub}"` : 'remote needs a command: make');
  const { values, positionals } = parseRemoteArgs(rest);
  if (values.help) {
    process.stdout.write(`${REMOTE_HELP}\n`);
    return 0;
  }
  const server = values.server ?? env.VIDVAR_SERVER;
  const token = values.token ?? env.VIDVAR_TOKEN;
  if (!server || !/^https?:\/\//.test(server))
    throw new UsageError('--server URL (http or https) is required');
  if (!token) throw new UsageError('--token T is required (or set VIDVAR_TOKEN)');
  if (positionals.length === 0) throw new UsageError('give at least one input video or link');
  const count = Number(values.count);
  if (!Number.isInteger(count) || count < 1 || count > 200)
    throw new UsageError('--count must be a whole number from 1 to 200');
  if (values.out === undefined) throw new UsageError('--out DIR is required');
  const intensity = (values.intensity ?? 'medium') as (typeof INTENSITIES)[number];
  if (!INTENSITIES.includes(intensity)) throw new UsageError('--intensity must be subtle, medium or strong');
  const choices = batchChoices(values);
  // Checked here too, so a bad value exits 2 before anything is uploaded.
  placementChoice(values);
  const urls = positionals.filter((p) => /^https?:\/\//i.test(p));
  const files = positionals.filter((p) => !/^https?:\/\//i.test(p)).map((p) => path.resolve(p));
  const missing = files.find((file) => !existsSync(file));
  if (missing) throw new UsageError(`${missing} does not exist`);

  const client = new VidvarClient({ server, token });
  const say = (line: string) => process.stderr.write(`${line}\n`);
  try {
    say(`sending ${positionals.length} input${positionals.length === 1 ? '' : 's'} to ${server}`);
    const created = await client.createJob({
      files,
      urls,
      count,
      intensity,
      ...(values.seed ? { seed: values.seed } : {}),
      ...(values.webhook ? { webhookUrl: values.webhook } : {}),
      ...choices,
      placement: {
        ...(values.formats ? { formats: values.formats.flatMap((f) => f.split(',')) } : {}),
        ...(values.fit ? { fit: values.fit } : {}),
        ...(values['pad-colour'] ? { padColour: values['pad-colour'] } : {}),
        ...(values.platform ? { platform: values.platform } : {}),
        ...(values.loudness ? { loudness: values.loudness } : {}),
      },
    });
    say(`batch ${created.id}: ${created.outputs.length} variations, seed ${created.seed}`);
    let reported = -1;
    const job = await client.waitForJob(created.id, (update: JobView) => {
      const done = update.outputs.filter((o) => o.status === 'done').length;
      if (done !== reported) say(`${done} of ${update.outputs.length} variations ready`);
      reported = done;
    });
    const out = path.resolve(values.out);
    const written = await client.downloadOutputs(job, out);
    say(`wrote ${written.length - 1} variations and manifest.json to ${out}`);
    if (job.status !== 'done') say(`the batch ${job.status}${job.error ? `: ${job.error}` : ''}`);
    return job.status === 'done' ? 0 : 1;
  } catch (error) {
    if (!(error instanceof VidvarApiError)) throw error;
    say(`vidvar: ${error.message}`);
    return 1;
  }
}

function parseRemoteArgs(args: string[]) {
  return parseCommandArgs(args, {
    ...BATCH_OPTIONS,
    ...PLACEMENT_OPTIONS,
    server: { type: 'string' },
    token: { type: 'string' },
    webhook: { type: 'string' },
  });
}
