/** Shapes of the HTTP API, as the browser receives them (see the API contract). */

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'canceled' | 'interrupted';
export type OutputStatus = 'queued' | 'running' | 'done' | 'failed' | 'canceled';
export type Intensity = 'subtle' | 'medium' | 'strong';

export interface SourceView {
  id: string;
  name: string;
  sizeBytes: number;
  durationSec: number;
  width: number;
  height: number;
}

export interface EffectView {
  id: string;
  label: string;
  params: Record<string, unknown>;
  description: string;
}

export interface OutputView {
  id: string;
  sourceId: string;
  index: number;
  status: OutputStatus;
  progress: number;
  error?: string;
  size?: number;
  durationSec?: number;
  width?: number;
  height?: number;
  effects: EffectView[];
  distinctness?: Record<string, number>;
  file: string;
}

export interface JobView {
  id: string;
  status: JobStatus;
  progress: number;
  count: number;
  intensity: Intensity;
  seed: string;
  error?: string;
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
  sources: SourceView[];
  outputs: OutputView[];
}

export interface UploadInfo {
  id: string;
  name: string;
  sizeBytes: number;
  durationSec: number;
  width: number;
  height: number;
}

export interface NewJobRequest {
  uploads: string[];
  count: number;
  intensity: Intensity;
  seed?: string;
}

/** States after which a job no longer changes by itself. */
export function isFinished(status: JobStatus): boolean {
  return status === 'done' || status === 'failed' || status === 'canceled';
}
