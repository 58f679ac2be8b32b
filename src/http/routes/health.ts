import type { JobStore } from '../../jobs/types.js';
import { diskUsage } from '../../storage/disk-space.js';
import type { ApiApp, JobWorker } from '../deps.js';
import { PUBLIC_ROUTE } from '../route-access.js';
import { healthSchema } from '../schemas.js';

export interface HealthRouteDeps {
  store: JobStore;
  worker: JobWorker;
  dataDir: string;
  version: string;
  isDraining: () => boolean;
}

/** No session needed: the platform's health check and the pre-deploy guard read it. */
export function registerHealthRoute(app: ApiApp, deps: HealthRouteDeps): void {
  app.get(
    '/api/health',
    {
      config: PUBLIC_ROUTE,
      schema: {
        tags: ['health'],
        summary: 'Liveness, version, queue and free disk (no sign-in needed).',
        response: { 200: healthSchema },
      },
    },
    async () => {
      const counts = await deps.store.countByStatus();
      const disk = diskUsage(deps.dataDir);
      return {
        status: deps.isDraining() ? ('draining' as const) : ('ok' as const),
        version: deps.version,
        activeJobs: deps.worker.activeJobIds().length,
        queuedJobs: counts.queued + counts.interrupted,
        disk: { freeBytes: disk.freeBytes, totalBytes: disk.totalBytes },
      };
    },
  );
}
