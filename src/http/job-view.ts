import type { JobDetail, OutputRecord, SourceRecord } from '../jobs/types.js';
import type { JobWebhook, WebhookDelivery } from '../jobs/webhook-store.js';
import { outputFileName, type PlannedEffect, uniqueStems } from '../media/index.js';
import { jobPlacementView, outputPlacementView } from './placement-view.js';
import { plainFailure } from './plain-failure.js';
import type { JobView, OutputView, UploadInfo, WebhookView } from './schemas.js';

/** Turns a job as stored into what the API shows: ISO dates, file names, effects a person can read. */
export type EffectDescriber = (effect: PlannedEffect) => {
  label: string;
  description: string;
  family: string;
  plain: string;
};

/** Where each output sits in the ZIP and what it is called when downloaded alone. */
export interface OutputName {
  folder: string;
  file: string;
}

/** `<source-stem>/<stem>-v01.mp4` for every output; two sources with the same name get distinct stems. */
export function outputNames(job: Pick<JobDetail, 'sources' | 'outputs' | 'count'>): Map<string, OutputName> {
  const stems = new Map<string, string>();
  const unique = uniqueStems(job.sources.map((source) => source.name));
  job.sources.forEach((source, i) => {
    stems.set(source.id, unique[i] ?? 'video');
  });
  const names = new Map<string, OutputName>();
  for (const output of job.outputs) {
    const stem = stems.get(output.sourceId) ?? 'video';
    names.set(output.id, {
      folder: stem,
      file: outputFileName(stem, output.index, job.count, output.format),
    });
  }
  return names;
}

/** A job's webhook and the attempts of each of its events, when it has one. */
export interface JobWebhookState {
  webhook: JobWebhook;
  deliveries: WebhookDelivery[];
}

export function toJobView(
  job: JobDetail,
  describe: EffectDescriber,
  webhook?: JobWebhookState | null,
): JobView {
  const names = outputNames(job);
  return {
    id: job.id,
    status: job.status,
    progress: clamp01(job.progress),
    count: job.count,
    intensity: job.intensity,
    seed: job.seed,
    ...(job.error ? { error: job.error } : {}),
    createdAt: iso(job.createdAt),
    updatedAt: iso(job.updatedAt),
    expiresAt: iso(job.expiresAt),
    sources: job.sources.map(uploadInfo),
    outputs: job.outputs.map((output) =>
      outputView(output, names.get(output.id)?.file ?? `${output.id}.mp4`, describe),
    ),
    ...(webhook ? { webhook: webhookView(webhook) } : {}),
    name: job.name,
    exclude: job.exclude,
    protectText: job.protectText,
    ...jobPlacementView(job),
  };
}

function webhookView({ webhook, deliveries }: JobWebhookState): WebhookView {
  return {
    url: webhook.url,
    deliveries: deliveries.map((d) => ({
      id: d.id,
      event: `job.${d.eventKey.split(':')[0]}`,
      state: d.state,
      nextAttemptAt: d.nextAttemptAt === null ? null : iso(d.nextAttemptAt),
      attempts: d.attempts.map((a) => ({ at: iso(a.at), statusCode: a.statusCode, error: a.error })),
    })),
  };
}

/** An admitted file as the API shows it: an upload, or the source of a job it became. */
export function uploadInfo(source: Pick<SourceRecord, 'id' | 'name' | 'sizeBytes' | 'media'>): UploadInfo {
  return {
    id: source.id,
    name: source.name,
    sizeBytes: source.sizeBytes,
    durationSec: source.media.durationSec,
    width: source.media.video.width,
    height: source.media.video.height,
  };
}

function outputView(output: OutputRecord, file: string, describe: EffectDescriber): OutputView {
  return {
    id: output.id,
    sourceId: output.sourceId,
    index: output.index,
    status: output.status,
    progress: clamp01(output.status === 'done' ? 1 : output.progress),
    ...(output.error ? { error: output.error, errorPlain: plainFailure(output.error) } : {}),
    ...(output.sizeBytes !== null ? { size: output.sizeBytes } : {}),
    ...(output.durationSec !== null ? { durationSec: output.durationSec } : {}),
    ...(output.width !== null ? { width: output.width } : {}),
    ...(output.height !== null ? { height: output.height } : {}),
    effects: output.plan.effects.map((effect) => ({
      id: effect.id,
      params: effect.params,
      ...describe(effect),
    })),
    ...(output.distinctness ? { distinctness: output.distinctness } : {}),
    file,
    ...outputPlacementView(output),
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function clamp01(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}
