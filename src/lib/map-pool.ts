/**
 * Runs `fn` over `items` with at most `limit` calls in flight, and resolves with their results in the
 * order of `items`. After the first error, or once `signal` is aborted, no further item is started:
 * the calls already running are awaited, then the first error (else the abort's reason) is thrown.
 * An abort that comes after every item has started changes nothing: all results are returned.
 */
export async function mapPool<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
  signal?: AbortSignal,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | null = null;
  const halted = () => failure !== null || signal?.aborted === true;
  const lane = async (): Promise<void> => {
    while (next < items.length && !halted()) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as T, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  const lanes = Math.max(1, Math.min(Math.floor(limit) || 1, items.length));
  // Lanes never reject (errors are kept in `failure`), so awaiting them all is waiting for the running calls.
  await Promise.all(Array.from({ length: lanes }, lane));
  if (failure !== null) throw (failure as { error: unknown }).error;
  if (next < items.length) throw signal?.reason;
  return results;
}
