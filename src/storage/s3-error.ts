/**
 * One line an operator can act on: what was being done, after how many tries, and the service's
 * own words; the SDK's error stays as the cause.
 */
export function storageError(doing: string, error: unknown): Error {
  const e = error as { name?: string; message?: string; $metadata?: { attempts?: number } };
  const attempts = e.$metadata?.attempts;
  const tries = attempts && attempts > 1 ? ` after ${attempts} attempts` : '';
  const reason = e.message || e.name || String(error);
  return new Error(`${doing} failed${tries}: ${reason}`, { cause: error });
}
