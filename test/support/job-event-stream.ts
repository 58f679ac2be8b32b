import type { JobView } from '../../src/http/schemas.js';

/**
 * The `event: job` payloads of a `GET /api/jobs/:id/events` body, one JobView each, as they arrive;
 * heartbeat comments are skipped. Used by the HTTP tests and by the benchmark's client.
 */
export async function* jobEvents(body: AsyncIterable<Uint8Array>): AsyncGenerator<JobView> {
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of body) {
    buffered += decoder.decode(chunk, { stream: true });
    let end = buffered.indexOf('\n\n');
    while (end >= 0) {
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      if (block.startsWith('event: job\n'))
        yield JSON.parse(block.slice(block.indexOf('data: ') + 6)) as JobView;
      end = buffered.indexOf('\n\n');
    }
  }
}
