import type { JobDetail } from '../jobs/types.js';
import { MANIFEST_VERSION, type Manifest, manifestOutput, manifestSource } from '../media/index.js';
import type { OutputName } from './job-view.js';

/**
 * manifest.json of a job's ZIP: the same format the CLI writes, listing the finished outputs with
 * the exact effect parameters, so any output can be rendered again.
 */
export function jobManifest(
  job: JobDetail,
  names: Map<string, OutputName>,
  toolVersion: string,
  createdAt: string,
): Manifest {
  const sourceNames = new Map(job.sources.map((source) => [source.id, source.name]));
  return {
    manifestVersion: MANIFEST_VERSION,
    tool: { name: 'vidvar', version: toolVersion, ffmpeg: null },
    createdAt,
    seed: job.seed,
    intensity: job.intensity,
    count: job.count,
    sources: job.sources.map((source) => manifestSource(source.name, source.media)),
    outputs: job.outputs
      .filter((output) => output.status === 'done')
      .map((output) => {
        const name = names.get(output.id) as OutputName;
        const source = sourceNames.get(output.sourceId) ?? '';
        return manifestOutput(source, `${name.folder}/${name.file}`, output.plan, output);
      }),
  };
}
