import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type BenchContext, runScenario } from '../context.js';
import type { ScenarioResult } from '../report.js';
import { startServer } from '../server.js';
import { apiLatency } from './api-latency.js';
import { endToEnd } from './end-to-end.js';
import { serverMemory } from './server-memory.js';

/**
 * Scenarios 1, 7 and 6 share one server, in that order: the end-to-end figures come from a fresh,
 * otherwise idle server; latency then loads it with a second job; memory reuses scenario 1's ZIP.
 */
export async function serverScenarios(ctx: BenchContext, wanted: Set<string>): Promise<ScenarioResult[]> {
  const dataDir = path.join(ctx.runDir, 'server-data');
  await mkdir(dataDir, { recursive: true });
  const results: ScenarioResult[] = [];
  let jobId: string | null = null;
  const server = await startServer(dataDir).catch((error: Error) => error);
  if (server instanceof Error) {
    for (const [id, title] of SERVER_SCENARIOS) {
      if (wanted.has(id)) results.push(await runScenario(id, title, ctx.log, () => Promise.reject(server)));
    }
    return results;
  }
  try {
    if (wanted.has('1') || wanted.has('6')) {
      results.push(
        await runScenario('1', title('1'), ctx.log, async () => {
          const outcome = await endToEnd(ctx, server);
          jobId = outcome.jobId;
          return outcome;
        }),
      );
    }
    if (wanted.has('7'))
      results.push(await runScenario('7', title('7'), ctx.log, () => apiLatency(ctx, server, jobId)));
    if (wanted.has('6')) {
      results.push(
        await runScenario('6', title('6'), ctx.log, () => {
          if (jobId === null) throw new Error('needs the finished job of scenario 1, which failed');
          return serverMemory(ctx, server, jobId);
        }),
      );
    }
  } finally {
    const code = await server.stop();
    if (code !== 0) ctx.log(`server exited with ${code} after SIGTERM`);
  }
  return results.filter((r) => wanted.has(r.id));
}

const SERVER_SCENARIOS: Array<[string, string]> = [
  ['1', 'vidvar end to end through the HTTP server'],
  ['7', 'API latency while encoding'],
  ['6', 'server memory during large uploads and ZIP downloads'],
];

function title(id: string): string {
  return (SERVER_SCENARIOS.find(([i]) => i === id) as [string, string])[1];
}
