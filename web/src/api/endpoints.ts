import { request } from './http.js';
import type { ApiTokenView, JobView, NewApiTokenView, NewJobRequest, UploadInfo } from './types.js';

/** One function per API route the client uses. */

export const checkSession = () =>
  request<{ authenticated: boolean }>('/api/session', { signInOnUnauthorized: false });

export const signIn = (password: string) =>
  request<void>('/api/session', { method: 'POST', body: { password }, signInOnUnauthorized: false });

export const signOut = () => request<void>('/api/session', { method: 'DELETE' });

export const listJobs = (search = '') =>
  request<{ jobs: JobView[] }>(search ? `/api/jobs?q=${encodeURIComponent(search)}` : '/api/jobs').then(
    (r) => r.jobs,
  );

/** Admitted uploads no batch has used yet: New batch offers them again after a reload. */
export const listEarlierUploads = () =>
  request<{ uploads: Array<UploadInfo & { uploadedAt: string }> }>('/api/uploads').then((r) => r.uploads);

export const getJob = (id: string) => request<JobView>(`/api/jobs/${encodeURIComponent(id)}`);

export const createJob = (job: NewJobRequest) => request<JobView>('/api/jobs', { method: 'POST', body: job });

export const retryJob = (id: string) =>
  request<JobView>(`/api/jobs/${encodeURIComponent(id)}/retry`, { method: 'POST' });

export const stopJob = (id: string) =>
  request<JobView>(`/api/jobs/${encodeURIComponent(id)}/stop`, { method: 'POST' });

export const deleteJob = (id: string) =>
  request<void>(`/api/jobs/${encodeURIComponent(id)}`, { method: 'DELETE' });

/** A video fetched by the server from a link, admitted like an upload. */
export const importFromLink = (url: string) =>
  request<UploadInfo>('/api/uploads/from-url', { method: 'POST', body: { url } });

export const getUploadInfo = (id: string) =>
  request<UploadInfo>(`/api/uploads/${encodeURIComponent(id)}/info`);

export const listTokens = () => request<{ tokens: ApiTokenView[] }>('/api/tokens').then((r) => r.tokens);

export const createToken = (name: string) =>
  request<NewApiTokenView>('/api/tokens', { method: 'POST', body: { name } });

export const revokeToken = (id: string) =>
  request<void>(`/api/tokens/${encodeURIComponent(id)}`, { method: 'DELETE' });

export const checkHealth = () => request<{ status: string }>('/api/health', { signInOnUnauthorized: false });

export const jobEventsUrl = (id: string) => `/api/jobs/${encodeURIComponent(id)}/events`;
/** The batch's ZIP; or only the chosen variations, or only one source's folder (the server filters). */
export const downloadZipUrl = (id: string, only?: { outputs: readonly string[] } | { source: string }) => {
  const url = `/api/jobs/${encodeURIComponent(id)}/download`;
  if (!only) return url;
  const query =
    'outputs' in only
      ? `outputs=${only.outputs.map(encodeURIComponent).join(',')}`
      : `source=${encodeURIComponent(only.source)}`;
  return `${url}?${query}`;
};
export const outputUrl = (jobId: string, outputId: string) =>
  `/api/jobs/${encodeURIComponent(jobId)}/outputs/${encodeURIComponent(outputId)}`;
export const thumbnailUrl = (jobId: string, outputId: string) => `${outputUrl(jobId, outputId)}/thumbnail`;
/** A still of a batch's original video, shown first in its row for comparison. */
export const sourceThumbnailUrl = (jobId: string, sourceId: string) =>
  `/api/jobs/${encodeURIComponent(jobId)}/sources/${encodeURIComponent(sourceId)}/thumbnail`;
