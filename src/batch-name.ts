/**
 * A batch's name: what the form proposes, what the API accepts, and the ZIP's file name made from
 * it. Plain functions with no imports, so the web app proposes the same default the server gives.
 */
export const MAX_BATCH_NAME_LENGTH = 80;

/** Why a batch name cannot be used, or null: the API answers 400 with it, the CLI exits 2. */
export function batchNameProblem(name: string): string | null {
  if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(name)) return 'must not contain control characters or line breaks';
  if (name.length > MAX_BATCH_NAME_LENGTH) return `must be at most ${MAX_BATCH_NAME_LENGTH} characters`;
  if (name.trim().length === 0) return 'must not be empty';
  return null;
}

/** `2026-11-30` of a date, in UTC on the server and in the browser alike. */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** "ux-long 2026-11-30": the first file's name without its extension, and the day. */
export function defaultBatchName(fileName: string, date: Date): string {
  const stem = (fileName.split(/[\\/]/).pop() ?? '')
    .replace(/\.[^.]*$/, '')
    .replace(/\p{Cc}/gu, '')
    .trim();
  const day = isoDay(date);
  return `${stem.slice(0, MAX_BATCH_NAME_LENGTH - day.length - 1) || 'Batch'} ${day}`;
}

/**
 * `spring-launch-2026-11-30.zip`: letters and digits of the name in lower case joined by hyphens
 * (safe in any file system and header), then the batch's day unless the name already ends with it.
 */
export function batchZipName(name: string, createdAt: Date): string {
  const slug = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  const day = isoDay(createdAt);
  const base = slug || 'vidvar';
  return `${base.endsWith(day) ? base : `${base}-${day}`}.zip`;
}
