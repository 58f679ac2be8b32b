import type { JobDetail } from '../jobs/types.js';
import { MANIFEST_VERSION, type Manifest, manifestOutput, manifestSource } from '../media/index.js';
import type { OutputName } from './job-view.js';

/**
 * manifest.json of a job's ZIP: the same format the CLI writes, listing the finished outputs with
 * the exact effect parameters, so any output can be rendered again.
 */
/** This vidvar and the FFmpeg build that rendered: the same plan gives the same bytes only with both. */
export interface ManifestTool {
  version: string;
  ffmpeg: string | null;
}

export function jobManifest(
  job: JobDetail,
  names: Map<string, OutputName>,
  tool: ManifestTool,
  createdAt: string,
): Manifest {
  const sourceNames = new Map(job.sources.map((source) => [source.id, source.name]));
  return {
    manifestVersion: MANIFEST_VERSION,
    tool: { name: 'vidvar', version: tool.version, ffmpeg: job.ffmpeg ?? tool.ffmpeg },
    ...(job.ffmpeg !== null && tool.ffmpeg !== null && job.ffmpeg !== tool.ffmpeg
      ? {
          notes: [
            `Rendered with FFmpeg ${job.ffmpeg}; this server now runs ${tool.ffmpeg}. Outputs rendered ` +
              'again (a retry) look the same but are not the same bytes.',
          ],
        }
      : {}),
    createdAt,
    seed: job.seed,
    intensity: job.intensity,
    count: job.count,
    ...(job.name ? { name: job.name } : {}),
    exclude: job.exclude,
    protectText: job.protectText,
    sources: job.sources.map((source) => manifestSource(source.name, source.media)),
    outputs: job.outputs
      .filter((output) => output.status === 'done')
      .map((output) => {
        const name = names.get(output.id) as OutputName;
        const source = sourceNames.get(output.sourceId) ?? '';
        const placement = output.placement ?? undefined;
        return manifestOutput(source, `${name.folder}/${name.file}`, output.plan, output, placement);
      }),
  };
}
